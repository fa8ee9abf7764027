"use client";

import Link from "next/link";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { formatUtcShort } from "@/components/local-time";
import type { AuditResetRow } from "@/lib/audit/list-scope-resets";

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
  column.accessor("outcome", {
    header: "Outcome",
    cell: (c) => (
      <span className={c.getValue() === "succeeded" ? "font-medium text-emerald-800" : "font-medium text-red-800"}>
        {c.getValue()}
        {c.row.original.failureReason && (
          <span className="block max-w-xs truncate text-xs font-normal text-slate-700" title={c.row.original.failureReason}>
            {c.row.original.failureReason}
          </span>
        )}
      </span>
    ),
  }),
  column.accessor("addedCount", { header: "Added", cell: (c) => <span className="tabular-nums">+{c.getValue()}</span> }),
  column.accessor("removedCount", {
    header: "Removed",
    cell: (c) => <span className={`tabular-nums ${c.getValue() > 0 ? "text-red-800" : ""}`}>−{c.getValue()}</span>,
  }),
];

/** One page of reset attempts, newest first. Sorting is the server's (keyset order); the table only renders. */
export function AuditTable({ rows }: { rows: AuditResetRow[] }) {
  // TanStack Table returns non-memoisable functions; this component does not rely on memoisation.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (r) => r.id });
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
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
  );
}
