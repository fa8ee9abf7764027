"use client";

import { useId, useState } from "react";
import type { GetAccountOutput } from "@/lib/http/console/accounts";

/** The account's scopes, grouped as the catalog groups them, with a filter. */
export function ScopeGroups({ scopes }: { scopes: GetAccountOutput["scopes"] }) {
  const [filter, setFilter] = useState("");
  const filterId = useId();
  const needle = filter.trim().toLowerCase();
  const matches = (s: string) => needle === "" || s.toLowerCase().includes(needle);
  const groups = scopes.groups
    .map((g) => ({ ...g, shown: g.present.filter(matches) }))
    .filter((g) => g.shown.length > 0 || (needle !== "" && g.label.toLowerCase().includes(needle)));
  const unknown = scopes.unknown.filter(matches);
  const shownCount = groups.reduce((n, g) => n + g.shown.length, 0) + unknown.length;

  return (
    <section aria-labelledby="scopes-heading" className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="scopes-heading" className="text-lg font-semibold">
          Scopes <span className="text-slate-600">({scopes.total})</span>
        </h2>
        <div>
          <label htmlFor={filterId} className="block text-xs text-slate-700">
            Filter scopes
          </label>
          <input
            id={filterId}
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            placeholder="e.g. erasejob, mail_settings"
            className="w-64 rounded-md border border-slate-300 px-2 py-1 text-sm"
          />
        </div>
      </div>
      {needle && (
        <p className="mt-2 text-sm text-slate-700" aria-live="polite">
          {shownCount} of {scopes.total} scopes match “{filter.trim()}”.
        </p>
      )}
      <div className="mt-3 grid gap-3 md:grid-cols-2 xl:grid-cols-3">
        {groups.map((g) => (
          <details key={g.id} open className="rounded border border-slate-200 p-2" data-testid={`scope-group-${g.id}`}>
            <summary className="cursor-pointer text-sm font-medium">
              {g.label}{" "}
              <span className="text-slate-600">
                {g.present.length}/{g.total}
              </span>
            </summary>
            <ul className="mt-1 space-y-0.5 font-mono text-xs">
              {g.shown.map((s) => (
                <li key={s}>{s}</li>
              ))}
            </ul>
          </details>
        ))}
      </div>
      {scopes.unknown.length > 0 && (
        <div className="mt-4 rounded border border-amber-300 bg-amber-50 p-2" data-testid="unknown-scopes">
          <h3 className="text-sm font-medium">
            Not in the scope catalog <span className="text-slate-700">({scopes.unknown.length})</span>
          </h3>
          <ul className="mt-1 space-y-0.5 font-mono text-xs">
            {unknown.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </div>
      )}
      {shownCount === 0 && <p className="mt-3 text-sm text-slate-700">No scope matches that filter.</p>}
    </section>
  );
}
