"use client";

import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { MATCH_LABEL } from "@/lib/accounts/match-labels";
import { asApiError } from "@/lib/client/api-fetch";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import { ErrorNotice } from "../confirm-reset-dialog";

const PAGE = 10;

/**
 * The console's lookup inside the sidebar, for a ticket whose requester's
 * e-mail no account has: by id, username, e-mail (or its start), e-mail
 * domain or company name (decision 037), through the same endpoint
 * (GET /api/accounts) and permission. Starts with the requester's e-mail
 * domain when there is one. Picking a match shows that account in the
 * sidebar, as if it were the requester's; nothing leaves Zendesk.
 */
export function SidebarLookup({ requesterEmail, onPick }: { requesterEmail: string | null; onPick(accountId: number): void }) {
  const inputId = useId();
  const domain = requesterEmail?.split("@")[1] ?? "";
  const [typed, setTyped] = useState(domain);
  const [query, setQuery] = useState(domain);
  const results = useQuery({
    queryKey: [...queryKeys.lookupPage(query), "sidebar"],
    queryFn: ({ signal }) => consoleApi.searchAccounts({ q: query, limit: PAGE }, signal),
    enabled: query.length > 0,
  });

  return (
    <section aria-labelledby={`${inputId}-title`} className="space-y-2 rounded border border-slate-200 p-2" data-testid="sidebar-lookup">
      <h2 id={`${inputId}-title`} className="font-semibold">
        Find the account
      </h2>
      <form
        role="search"
        className="flex gap-1"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery(typed.trim());
        }}
      >
        <label htmlFor={inputId} className="sr-only">
          Account id, username, e-mail, e-mail domain or company
        </label>
        <input
          id={inputId}
          type="search"
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          placeholder="id, username, e-mail, domain, company"
          maxLength={254}
          className="min-w-0 flex-1 rounded border border-slate-300 px-2 py-1"
        />
        <button type="submit" className="rounded bg-slate-800 px-2 py-1 text-white">
          Search
        </button>
      </form>
      {query === "" ? (
        <p className="text-xs text-slate-600">Search by what the customer wrote: an e-mail, its domain, the company name.</p>
      ) : results.isError ? (
        <ErrorNotice error={asApiError(results.error)!} />
      ) : !results.data ? (
        <p className="text-slate-600">Searching…</p>
      ) : results.data.results.length === 0 ? (
        <p className="text-slate-700" data-testid="sidebar-lookup-none">
          No account matches “{query}”.
        </p>
      ) : (
        <ul className="space-y-1" aria-label={`Accounts matching ${query}`}>
          {results.data.results.map((account) => (
            <li key={account.id}>
              <button
                type="button"
                onClick={() => onPick(account.id)}
                className="w-full rounded border border-slate-200 px-2 py-1 text-left hover:bg-blue-50"
                data-testid="sidebar-lookup-result"
              >
                <span className="font-medium">{account.username}</span> <span className="text-slate-600">#{account.id}</span>
                <span className="block text-xs text-slate-600">
                  {account.email}
                  {account.company ? ` · ${account.company}` : ""}
                  {account.parentId ? ` · subuser of #${account.parentId}` : ""} ({MATCH_LABEL[account.matchedBy]})
                </span>
              </button>
            </li>
          ))}
          {results.data.nextCursor && (
            <li className="text-xs text-slate-600">
              More match:{" "}
              <a href={`/lookup?q=${encodeURIComponent(query)}`} className="text-blue-800 underline">
                see all in Scopedesk
              </a>
              , or search more precisely.
            </li>
          )}
        </ul>
      )}
    </section>
  );
}
