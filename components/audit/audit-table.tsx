"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { formatUtcShort } from "@/components/local-time";
import { describeDeliveryState, isDeliveryPending, type ResetDeliveryState } from "@/lib/audit/delivery-state";
import { failureInWords } from "@/lib/audit/failure-reasons";
import type { AuditResetRow } from "@/lib/audit/list-scope-resets";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";

/** How often the page asks for delivery states while a note or reply is still on its way. */
const POLL_MS = 3000;

const TONE: Record<string, string> = {
  none: "bg-slate-100 text-slate-800",
  queued: "bg-slate-100 text-slate-800",
  retrying: "bg-amber-100 text-amber-950",
  delivered: "bg-emerald-100 text-emerald-950",
  dead: "bg-red-100 text-red-950",
};

export function DeliveryBadge({ state }: { state: ResetDeliveryState }) {
  const worst =
    state.notes === "dead" || state.reply === "dead"
      ? "dead"
      : state.notes === "retrying" || state.reply === "retrying"
        ? "retrying"
        : state.notes;
  return (
    <span
      className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${TONE[worst]}`}
      data-testid="delivery-state"
      data-notes={state.notes}
      data-reply={state.reply ?? "none"}
    >
      {describeDeliveryState(state)}
    </span>
  );
}

function Outcome({ row }: { row: AuditResetRow }) {
  const failure = failureInWords(row.failureReason);
  return (
    <span className={row.outcome === "succeeded" ? "font-medium text-emerald-800" : "font-medium text-red-800"}>
      {row.outcome}
      {failure && (
        <span className="block max-w-xs text-xs font-normal text-slate-700" title={row.failureReason ?? undefined}>
          {failure.label}
        </span>
      )}
    </span>
  );
}

const column = createColumnHelper<AuditResetRow>();

const columns = [
  column.accessor("createdAt", {
    header: "Time (UTC)",
    cell: (c) => (
      <Link
        className="text-blue-800 underline"
        href={`/audit/resets/${c.row.original.id}`}
        aria-label={`Reset at ${formatUtcShort(c.getValue())}: details`}
      >
        <time dateTime={c.getValue()}>{formatUtcShort(c.getValue())}</time>
      </Link>
    ),
  }),
  column.accessor((r) => r.actor.name, {
    id: "agent",
    header: "Agent",
    cell: (c) => (
      <span title={c.row.original.actor.email}>
        {c.getValue()}
        <span className="block text-xs text-slate-600">{c.row.original.actor.email}</span>
      </span>
    ),
  }),
  column.accessor((r) => r.account.id, {
    id: "account",
    header: "Account",
    cell: (c) => (
      <Link className="text-blue-800 underline" href={`/audit/accounts/${c.getValue()}`}>
        {c.getValue()} · {c.row.original.account.username}
      </Link>
    ),
  }),
  column.accessor((r) => r.ticket.ticketId, {
    id: "ticket",
    header: "Ticket",
    cell: (c) => (
      <a
        className="text-blue-800 underline"
        href={c.row.original.ticket.url}
        target="_blank"
        rel="noopener noreferrer"
        data-testid="ticket-link"
      >
        #{c.getValue()}
        <span className="sr-only"> (opens the helpdesk in a new tab)</span>
      </a>
    ),
  }),
  column.accessor("outcome", { header: "Outcome", cell: (c) => <Outcome row={c.row.original} /> }),
  column.accessor("delivery", { header: "Into the helpdesk", cell: (c) => <DeliveryBadge state={c.getValue()} /> }),
  column.accessor("addedCount", { header: "Added", cell: (c) => <span className="tabular-nums">+{c.getValue()}</span> }),
  column.accessor("removedCount", {
    header: "Removed",
    cell: (c) => <span className={`tabular-nums ${c.getValue() > 0 ? "text-red-800" : ""}`}>−{c.getValue()}</span>,
  }),
];

/**
 * One page of reset attempts, newest first: a table on wide screens, cards on
 * a phone. Sorting is the server's (keyset order). While any reset's notes or
 * reply are queued or retrying, their delivery states are asked for again
 * every few seconds (and no longer once everything has settled).
 */
export function AuditTable({ rows }: { rows: AuditResetRow[] }) {
  const ids = rows.map((r) => r.id);
  const initial = Object.fromEntries(rows.map((r) => [r.id, r.delivery]));
  const { data: states } = useQuery({
    queryKey: queryKeys.auditDeliveryStates(ids),
    queryFn: async ({ signal }) => (await consoleApi.deliveryStates(ids, signal)).states,
    initialData: initial,
    // The server's states are fresh: the first request for them is the first poll, not one at mount.
    staleTime: POLL_MS,
    refetchInterval: (query) => (Object.values(query.state.data ?? {}).some(isDeliveryPending) ? POLL_MS : false),
  });
  const live = rows.map((r) => ({ ...r, delivery: states[r.id] ?? r.delivery }));
  // TanStack Table returns non-memoisable functions; this component does not rely on memoisation.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: live, columns, getCoreRowModel: getCoreRowModel(), getRowId: (r) => r.id });
  return (
    <>
      <ul className="space-y-2 md:hidden" aria-label="Scope reset attempts">
        {live.map((r) => (
          <li
            key={r.id}
            className="rounded-lg border border-slate-200 bg-white p-3 text-sm"
            data-testid="audit-card"
            data-outcome={r.outcome}
          >
            <div className="flex flex-wrap items-baseline justify-between gap-x-3">
              <Link className="font-medium text-blue-800 underline" href={`/audit/resets/${r.id}`}>
                <time dateTime={r.createdAt}>{formatUtcShort(r.createdAt)}</time>
                <span className="sr-only">: details</span>
              </Link>
              <Outcome row={r} />
            </div>
            <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1">
              <dt className="text-slate-700">Agent</dt>
              <dd className="break-words">{r.actor.name}</dd>
              <dt className="text-slate-700">Account</dt>
              <dd className="break-words">
                <Link className="text-blue-800 underline" href={`/audit/accounts/${r.account.id}`}>
                  {r.account.id} · {r.account.username}
                </Link>
              </dd>
              <dt className="text-slate-700">Ticket</dt>
              <dd>
                <a className="text-blue-800 underline" href={r.ticket.url} target="_blank" rel="noopener noreferrer">
                  #{r.ticket.ticketId}
                  <span className="sr-only"> (opens the helpdesk in a new tab)</span>
                </a>
              </dd>
              <dt className="text-slate-700">Scopes</dt>
              <dd className="tabular-nums">
                +{r.addedCount} / −{r.removedCount}
              </dd>
              <dt className="text-slate-700">Helpdesk</dt>
              <dd>
                <DeliveryBadge state={r.delivery} />
              </dd>
            </dl>
          </li>
        ))}
      </ul>
      <div className="hidden overflow-x-auto rounded-lg border border-slate-200 bg-white md:block">
        <table className="w-full text-left text-sm" aria-label="Scope reset attempts">
          <thead className="border-b border-slate-200 bg-slate-50 text-slate-700">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <th key={header.id} scope="col" className="px-3 py-2 font-medium">
                    {flexRender(header.column.columnDef.header, header.getContext())}
                  </th>
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="border-b border-slate-100 align-top" data-testid="audit-row" data-outcome={row.original.outcome}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className="px-3 py-2">
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
