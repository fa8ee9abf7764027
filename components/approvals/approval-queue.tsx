"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ApprovalFilter } from "@/lib/approvals/list-approvals";
import { consoleApi } from "@/lib/client/console-api";
import { formatRelative } from "@/lib/client/format-time";
import { queryKeys } from "@/lib/client/query-keys";
import type { ListApprovalsOutput } from "@/lib/http/console/approvals";
import { ApprovalStateBadge, RulesList } from "./approval-parts";
import { DecisionForm } from "./decision-form";

/** Removed scopes a card names; the request's page lists them all. */
const REMOVED_LISTED = 12;

/** How often the queue is read again: new requests and others' decisions appear without a reload. */
const QUEUE_REFRESH_MS = 5000;

const FILTER_LABEL: Record<ApprovalFilter, string> = {
  open: "Open",
  pending: "Waiting",
  approved: "Approved",
  executed: "Carried out",
  denied: "Denied",
  cancelled: "Cancelled",
  expired: "Expired",
  voided: "Void",
  all: "All",
};

/**
 * The approvals queue: each request with who asked, for which account and
 * ticket, the plan, the keys that lose scopes, the rules that fired, the
 * reason, its age and expiry; approve or deny in place (with a comment).
 * Cards, not a table, so it reads on a phone.
 */
export function ApprovalQueue({ initialData, filters }: { initialData: ListApprovalsOutput; filters: readonly ApprovalFilter[] }) {
  const filter = initialData.filter;
  const { data } = useQuery({
    queryKey: queryKeys.approvals(filter),
    queryFn: ({ signal }) => consoleApi.listApprovals(filter, signal),
    initialData,
    refetchInterval: QUEUE_REFRESH_MS,
  });
  return (
    <div className="space-y-4">
      <nav aria-label="Filter by state" className="flex flex-wrap gap-2 text-sm">
        {filters.map((f) => (
          <Link
            key={f}
            href={f === "open" ? "/approvals" : `/approvals?state=${f}`}
            aria-current={f === filter ? "page" : undefined}
            className={`rounded border px-2 py-1 ${f === filter ? "border-slate-900 bg-slate-900 text-white" : "border-slate-300 bg-white text-slate-900 hover:bg-slate-50"}`}
          >
            {FILTER_LABEL[f]}
          </Link>
        ))}
      </nav>
      {data.items.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700" data-testid="approvals-empty">
          {filter === "open"
            ? "Nothing is waiting: no request needs a decision or is waiting to be carried out."
            : "No request in this state."}
        </p>
      ) : (
        <ul className="space-y-3" aria-label="Approval requests">
          {data.items.map((item) => (
            <li
              key={item.id}
              className="rounded-lg border border-slate-200 bg-white p-4 text-sm"
              data-testid="approval-card"
              data-state={item.state}
            >
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <h2 className="text-base font-semibold break-words">
                  <Link href={`/approvals/${item.id}`} className="text-blue-800 underline">
                    {item.kind === "family" ? "Family reset" : "Reset"} of {item.account.username} #{item.account.id}
                    {item.kind === "family" && ` and ${item.subusers.length} subuser${item.subusers.length === 1 ? "" : "s"}`}
                  </Link>{" "}
                  <ApprovalStateBadge state={item.state} executing={item.executing} />
                </h2>
                <span className="text-slate-700">
                  asked {formatRelative(item.requestedAt, data.readAt)}
                  {item.state === "pending" || item.state === "approved" ? ` · expires ${formatRelative(item.expiresAt, data.readAt)}` : ""}
                </span>
              </div>
              <p className="mt-1">
                By <strong>{item.requestedBy.name}</strong> for ticket{" "}
                <a href={item.ticket.url} target="_blank" rel="noreferrer" className="text-blue-800 underline">
                  #{item.ticket.ticketId}
                </a>
                . Plan: adds {item.summary.added}, removes {item.summary.removed}
                {item.summary.mode === "minimal" ? " (minimal reset)" : ""}.
              </p>
              {item.summary.removedScopes.length > 0 && (
                <p className="mt-1 break-words">
                  Removes:{" "}
                  <code className="text-xs">
                    {item.summary.removedScopes.slice(0, REMOVED_LISTED).join(", ")}
                    {item.summary.removedScopes.length > REMOVED_LISTED &&
                      ` and ${item.summary.removedScopes.length - REMOVED_LISTED} more`}
                  </code>
                </p>
              )}
              {item.summary.keyLosses.length > 0 && (
                <p className="mt-1 break-words text-red-900">
                  Keys losing scopes:{" "}
                  {item.summary.keyLosses.map((l) => `${l.keyName || "(unnamed key)"} (${l.loses.join(", ")})`).join("; ")}
                </p>
              )}
              <div className="mt-1">
                <RulesList rules={item.rules} />
              </div>
              <p className="mt-1 whitespace-pre-wrap break-words">
                <span className="font-medium">Reason:</span> {item.reason}
              </p>
              {item.decision && (
                <p className="mt-1">
                  {item.state === "denied" ? "Denied" : "Approved"} by {item.decision.by}
                  {item.decision.comment ? `: “${item.decision.comment}”` : ""}
                </p>
              )}
              {item.canDecide && (
                <div className="mt-3 border-t border-slate-200 pt-3">
                  <DecisionForm approvalId={item.id} />
                </div>
              )}
              {item.cannotDecide && <p className="mt-2 text-slate-700">{item.cannotDecide}</p>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
