import Link from "next/link";
import type { TicketRecord } from "@/lib/client/types";
import { NoteBlock } from "./copy-button";
import { formatUtcShort } from "@/lib/format-time";

const NOTE_TITLE = { scopes_before: "Ticket note 1: scopes before", scopes_after: "Ticket note 2: scopes after" } as const;

/** Everything Scopedesk recorded for one ticket, oldest first, each note ready to paste into the helpdesk. */
export function TicketRecordView({ record }: { record: TicketRecord }) {
  const { ticket, entries } = record;
  return (
    <div className="space-y-4">
      <div>
        <p className="text-sm text-slate-600">Helpdesk ticket</p>
        <h1 className="text-2xl font-semibold tracking-tight">
          Ticket #{ticket.ticketId}{" "}
          <a href={ticket.url} target="_blank" rel="noreferrer" className="text-base font-normal text-blue-800 underline">
            open in the helpdesk
          </a>
        </h1>
      </div>
      {entries.length === 0 ? (
        <p className="text-slate-700">Nothing has been recorded for this ticket yet.</p>
      ) : (
        <ol className="space-y-3" aria-label="Recorded for this ticket, oldest first">
          {entries.map((entry) => (
            <li key={`${entry.type}-${entry.type === "reset" ? entry.reset.id : entry.note.id}`}>
              {entry.type === "reset" ? (
                <div
                  data-testid="ticket-reset"
                  className={`rounded-lg border p-3 text-sm ${entry.reset.outcome === "succeeded" ? "border-emerald-300 bg-emerald-50" : "border-red-300 bg-red-50"}`}
                >
                  <Link href={`/scope-resets/${entry.reset.id}`} className="font-semibold text-blue-800 underline">
                    Scope reset {entry.reset.outcome}
                  </Link>{" "}
                  on{" "}
                  <Link href={`/accounts/${entry.reset.account.id}`} className="text-blue-800 underline">
                    {entry.reset.account.username} #{entry.reset.account.id}
                  </Link>{" "}
                  by {entry.reset.actorName}, {formatUtcShort(entry.reset.createdAt)}
                  {entry.reset.outcome === "succeeded"
                    ? ` · +${entry.reset.added.length} / −${entry.reset.removed.length}`
                    : entry.reset.failureReason
                      ? ` · ${entry.reset.failureReason}`
                      : ""}
                </div>
              ) : (
                <NoteBlock
                  id={entry.type === "ticket_note" ? `note-${entry.note.id}` : `admin-note-${entry.note.id}`}
                  title={entry.type === "ticket_note" ? NOTE_TITLE[entry.note.kind as keyof typeof NOTE_TITLE] : "Admin note (on the account)"}
                  body={entry.note.body}
                  meta={`${entry.note.authorName}, ${formatUtcShort(entry.note.createdAt)}`}
                />
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
