import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { LiveDeliveries } from "@/components/audit/live-deliveries";
import { NoteBlock } from "@/components/copy-button";
import { DualTime } from "@/components/local-time";
import { can, type Role } from "@/lib/auth/permissions";
import { failureInWords } from "@/lib/audit/failure-reasons";
import { getAuditResetDetail } from "@/lib/audit/get-audit-reset";
import { getResetDeliveries } from "@/lib/audit/get-reset-deliveries";
import { formatUtcShort } from "@/lib/client/format-time";
import { uuidParams } from "@/lib/http/schemas";
import { guardPage, orNotFound } from "@/lib/pages/guard";

type Params = { params: Promise<{ id: string }> };

/** The page and its title read the reset once per request. */
const loadReset = cache((id: string, staffId: string, role: Role) => getAuditResetDetail({ id: staffId, role }, id));

async function load(id: string) {
  const { staff, params: parsed } = await guardPage({
    permission: "audit:read_own",
    path: `/audit/resets/${encodeURIComponent(id)}`,
    params: { schema: uuidParams, values: { id } },
  });
  return { staff, reset: await orNotFound(loadReset(parsed.id, staff.id, staff.role)) };
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { reset } = await load((await params).id);
  const what = reset.outcome === "failed" ? "Failed reset attempt" : "Scope reset";
  return { title: `${what} on ${reset.account.username}, ${formatUtcShort(reset.createdAt)} (audit)` };
}

function ScopeList({
  title,
  scopes,
  testId,
}: {
  title: string;
  scopes: { groups: { id: string; label: string; present: string[] }[]; unknown: string[] } | null;
  testId: string;
}) {
  return (
    <section aria-label={title} className="rounded-lg border border-slate-200 bg-white p-4" data-testid={testId}>
      <h3 className="font-semibold">{title}</h3>
      {scopes === null ? (
        <p className="mt-2 text-sm text-slate-700">Not recorded (the attempt stopped before the scopes were read).</p>
      ) : (
        <div className="mt-2 space-y-2 text-xs">
          {scopes.groups.map((g) => (
            <div key={g.id}>
              <div className="font-medium text-slate-800">{g.label}</div>
              <ul className="font-mono text-slate-900">
                {g.present.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </div>
          ))}
          {scopes.unknown.length > 0 && (
            <div>
              <div className="font-medium text-slate-800">Not in the catalog</div>
              <ul className="font-mono">
                {scopes.unknown.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

export default async function AuditResetPage({ params }: Params) {
  const { staff, reset } = await load((await params).id);
  const deliveries = await getResetDeliveries(staff, reset.id);
  const failure = failureInWords(reset.failureReason);
  const failed = reset.outcome === "failed";
  const changed = reset.diff.filter((g) => g.added.length > 0 || g.removed.length > 0);
  const facts: [string, React.ReactNode][] = [
    [
      "Outcome",
      <span key="o" className={failed ? "font-semibold text-red-800" : "font-semibold text-emerald-800"}>
        {reset.outcome}
        {reset.verified ? " (verified)" : ""}
      </span>,
    ],
    ["When", <DualTime key="w" iso={reset.createdAt} />],
    ["Agent", `${reset.actor.name} (${reset.actor.email})`],
    [
      "Account",
      <Link key="a" className="text-blue-800 underline" href={`/audit/accounts/${reset.account.id}`}>
        {reset.account.id} · {reset.account.username}
      </Link>,
    ],
    [
      "Ticket",
      <a
        key="t"
        className="text-blue-800 underline"
        href={reset.ticket.url}
        target="_blank"
        rel="noopener noreferrer"
        data-testid="detail-ticket-link"
      >
        {reset.ticket.url}
      </a>,
    ],
    ["Client IP", reset.clientIp ?? "not recorded"],
    ["User agent", reset.userAgent ?? "not recorded"],
    ["Request id", <code key="r">{reset.requestId}</code>],
    ["Catalog version", <code key="c">{reset.catalogVersion}</code>],
    ["Duration", `${reset.durationMs} ms`],
  ];
  if (reset.clientRequestId) facts.push(["Client's request id", <code key="cr">{reset.clientRequestId}</code>]);
  if (reset.reason) facts.push(["Reason given", reset.reason]);
  if (failure)
    facts.push([
      "Why it failed",
      <span key="f" data-testid="failure-reason" data-kind={failure.kind}>
        <span className="font-medium text-red-800">{failure.label}.</span> {failure.sentence}
        <span className="mt-1 block text-xs text-slate-700">Recorded: {failure.recorded}</span>
      </span>,
    ]);

  return (
    <div className="space-y-5">
      <div>
        <p className="text-sm">
          <Link className="text-blue-800 underline" href="/audit">
            ← Audit
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">
          {failed ? "Failed reset attempt" : "Scope reset"} on {reset.account.username}
        </h1>
      </div>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm md:grid-cols-[max-content_1fr]">
        {facts.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-medium text-slate-700">{k}</dt>
            <dd className="break-all">{v}</dd>
          </div>
        ))}
      </dl>

      <section aria-labelledby="diff-heading" className="space-y-2">
        <h2 id="diff-heading" className="text-lg font-semibold">
          {failed ? "What the attempt would have changed (nothing was applied)" : "What changed"}: +{reset.added.length} / −
          {reset.removed.length}
        </h2>
        {changed.length === 0 ? (
          <p className="text-sm text-slate-700">No scope was added or removed.</p>
        ) : (
          <table className="w-full rounded-lg border border-slate-200 bg-white text-left text-sm" data-testid="grouped-diff">
            <thead className="border-b border-slate-200 text-slate-700">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Group
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Added
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Removed
                </th>
              </tr>
            </thead>
            <tbody>
              {changed.map((g) => (
                <tr key={g.id} className="border-b border-slate-100 align-top">
                  <th scope="row" className="px-3 py-2 font-medium">
                    {g.label}
                  </th>
                  <td className="px-3 py-2 font-mono text-xs text-emerald-800">
                    {g.added.map((s) => (
                      <div key={s}>+ {s}</div>
                    ))}
                  </td>
                  <td className="px-3 py-2 font-mono text-xs text-red-800">
                    {g.removed.map((s) => (
                      <div key={s}>− {s}</div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="sets-heading" className="space-y-2">
        <h2 id="sets-heading" className="text-lg font-semibold">
          Scopes before and after
        </h2>
        <div className="grid gap-4 md:grid-cols-2">
          <ScopeList
            title={`Before (${reset.before?.scopes.length ?? "?"} scopes)`}
            scopes={reset.before?.groups ?? null}
            testId="scopes-before"
          />
          <ScopeList
            title={failed ? "After (unchanged: the attempt failed)" : `After (${reset.after?.scopes.length ?? "?"} scopes)`}
            scopes={failed ? (reset.before?.groups ?? null) : (reset.after?.groups ?? null)}
            testId="scopes-after"
          />
        </div>
      </section>

      <section aria-labelledby="notes-heading" className="space-y-3">
        <h2 id="notes-heading" className="text-lg font-semibold">
          Notes as written
        </h2>
        {!reset.notes.before && !reset.notes.after && !reset.notes.admin && (
          <p className="text-sm text-slate-700">
            No notes: {failed ? "a failed attempt writes none (its transaction was rolled back)." : "none were recorded."}
          </p>
        )}
        {reset.notes.before && (
          <NoteBlock
            title="Ticket note 1: scopes before"
            body={reset.notes.before.body}
            meta={`${reset.notes.before.authorName}, ${reset.notes.before.createdAt}`}
          />
        )}
        {reset.notes.after && (
          <NoteBlock
            title="Ticket note 2: scopes after"
            body={reset.notes.after.body}
            meta={`${reset.notes.after.authorName}, ${reset.notes.after.createdAt}`}
          />
        )}
        {reset.notes.admin && (
          <NoteBlock
            title="Admin note"
            body={reset.notes.admin.body}
            meta={`${reset.notes.admin.authorName}, ${reset.notes.admin.createdAt}`}
          />
        )}
      </section>

      <LiveDeliveries resetId={reset.id} initial={deliveries} failed={failed} canRetry={can(staff.role, "scopes:reset")} />

      <section aria-labelledby="events-heading" className="space-y-2">
        <h2 id="events-heading" className="text-lg font-semibold">
          Audit log
        </h2>
        {reset.auditEvents.length === 0 ? (
          <p className="text-sm text-slate-700">No audit event refers to this reset.</p>
        ) : (
          <ul className="text-sm">
            {reset.auditEvents.map((e) => (
              <li key={e.seq}>
                #{e.seq} <code>{e.action}</code> at {e.occurredAt} — hash <code>{e.hash.slice(0, 16)}…</code>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
