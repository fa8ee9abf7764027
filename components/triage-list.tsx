import Link from "next/link";
import { formatUtcShort } from "@/lib/client/format-time";
import type { ListTriageOutput } from "@/lib/http/console/triage";
import type { TriageListQuery, TriageListState } from "@/lib/triage/triage-list-query";

const STATE_LABEL: Record<TriageListState, string> = {
  needs_reset: "Needs reset",
  anomaly: "Anomaly",
  nothing_to_do: "Nothing to do",
  no_account: "No account matched",
  pending: "Being triaged",
  ticket_not_found: "Ticket not found",
  reset_done: "Reset done",
};
const STATE_TONE: Record<TriageListState, string> = {
  needs_reset: "bg-amber-100 text-amber-900",
  anomaly: "bg-red-100 text-red-900",
  nothing_to_do: "bg-emerald-100 text-emerald-900",
  no_account: "bg-slate-200 text-slate-900",
  pending: "bg-blue-100 text-blue-900",
  ticket_not_found: "bg-slate-200 text-slate-900",
  reset_done: "bg-emerald-100 text-emerald-900",
};
const TABS: readonly TriageListState[] = [
  "needs_reset",
  "anomaly",
  "reset_done",
  "nothing_to_do",
  "no_account",
  "pending",
  "ticket_not_found",
];
const NOTE_LABEL = { pending: "note pending", delivered: "note in the ticket", dead: "note failed", not_posted: "no note" } as const;

/**
 * The triaged tickets: a tab per current state with its count, newest first, each row leading to its ticket page;
 * a ticket answered by a reset since it arrived is "Reset done", linking the reset, with what triage found beside it.
 */
export function TriageList({ query, page }: { query: TriageListQuery; page: ListTriageOutput }) {
  const total = Object.values(page.counts).reduce((a, b) => a + b, 0);
  const tab = (state: TriageListState | null, label: string, count: number) => (
    <li key={state ?? "all"}>
      <Link
        href={state ? `/triage?state=${state}` : "/triage"}
        aria-current={query.state === state ? "page" : undefined}
        className={`inline-block rounded px-2 py-1 ${query.state === state ? "bg-slate-800 text-white" : "text-blue-800 underline"}`}
      >
        {label} ({count})
      </Link>
    </li>
  );
  return (
    <div className="space-y-3">
      <nav aria-label="Triage states">
        <ul className="flex flex-wrap gap-2 text-sm">
          {tab(null, "All", total)}
          {TABS.map((s) => tab(s, STATE_LABEL[s], page.counts[s]))}
        </ul>
      </nav>
      {page.items.length === 0 ? (
        <p className="text-slate-700">No triaged tickets{query.state ? ` in “${STATE_LABEL[query.state]}”` : ""} yet.</p>
      ) : (
        <table className="w-full border-collapse text-left text-sm" data-testid="triage-table">
          <thead className="border-b border-slate-300 text-slate-700">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">
                Ticket
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                State
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Requester and account
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Triage
              </th>
              <th scope="col" className="py-1 font-medium">
                Arrived
              </th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((t) => (
              <tr key={t.ticketId} className="border-b border-slate-100 align-top" data-testid="triage-row" data-state={t.state}>
                <td className="py-2 pr-3">
                  <Link href={t.ticketPath} className="font-semibold text-blue-800 underline">
                    #{t.ticketId}
                  </Link>
                  <div className="text-slate-700">{t.subject ?? ""}</div>
                </td>
                <td className="py-2 pr-3" data-testid="triage-state">
                  <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${STATE_TONE[t.state]}`}>{STATE_LABEL[t.state]}</span>
                  {t.reset && (
                    <div className="mt-1 text-xs text-slate-700">
                      <Link href={`/scope-resets/${t.reset.id}`} className="text-blue-800 underline">
                        reset {formatUtcShort(t.reset.at)}
                      </Link>
                      {t.state !== t.foundState && <div>{`found: ${STATE_LABEL[t.foundState].toLowerCase()}`}</div>}
                    </div>
                  )}
                </td>
                <td className="py-2 pr-3">
                  <div>{t.requesterEmail ?? "—"}</div>
                  {t.account && (
                    <Link href={`/accounts/${t.account.id}?ticket=${encodeURIComponent(t.ticketId)}`} className="text-blue-800 underline">
                      {t.account.username} #{t.account.id}
                    </Link>
                  )}
                  {t.matchedAccounts > 1 && <span className="text-slate-600"> (+{t.matchedAccounts - 1} more)</span>}
                </td>
                <td className="py-2 pr-3">
                  <div>{t.summary ?? "—"}</div>
                  <div
                    className={`text-xs ${t.note.status === "dead" ? "text-red-800" : "text-slate-600"}`}
                    data-testid="triage-note-status"
                  >
                    {NOTE_LABEL[t.note.status]}
                    {t.note.status === "dead" && t.note.lastError ? `: ${t.note.lastError}` : ""}
                  </div>
                </td>
                <td className="py-2">
                  <time dateTime={t.receivedAt}>{formatUtcShort(t.receivedAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page.nextCursor && (
        <Link
          href={`/triage?${new URLSearchParams({ ...(query.state ? { state: query.state } : {}), cursor: page.nextCursor })}`}
          className="text-blue-800 underline"
        >
          Older tickets
        </Link>
      )}
    </div>
  );
}
