import Link from "next/link";
import type { TicketOutput } from "@/lib/http/console/tickets";
import { formatUtcShort } from "@/lib/client/format-time";
import { NoteBlock } from "./copy-button";
import { HelpdeskDeliveries } from "./helpdesk-deliveries";

const NOTE_TITLE = { scopes_before: "Ticket note 1: scopes before", scopes_after: "Ticket note 2: scopes after" } as const;

/**
 * One ticket: what the helpdesk says it is (subject, status, requester,
 * organization), which account it is most likely about (ready to reset),
 * what Scopedesk delivered into it, and everything recorded for it, oldest
 * first, each note ready to paste should the helpdesk not be connected.
 */
export function TicketRecordView({ view, canAct }: { view: TicketOutput; canAct: boolean }) {
  const { ticket, entries, helpdesk, suggestions, deliveries } = view;
  const ticketQuery = `?ticket=${encodeURIComponent(ticket.ticketId)}`;
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
      <section
        aria-labelledby="helpdesk-ticket"
        className="rounded-lg border border-slate-200 bg-white p-4 text-sm"
        data-testid="helpdesk-ticket"
      >
        <h2 id="helpdesk-ticket" className="sr-only">
          In the helpdesk
        </h2>
        {helpdesk.state === "verified" ? (
          <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-2 lg:grid-cols-4">
            <div>
              <dt className="text-slate-700">Subject</dt>
              <dd className="font-medium" data-testid="ticket-subject">
                {helpdesk.ticket.subject ?? "(no subject)"}
              </dd>
            </div>
            <div>
              <dt className="text-slate-700">Status</dt>
              <dd className="font-medium">{helpdesk.ticket.status}</dd>
            </div>
            <div>
              <dt className="text-slate-700">Requester</dt>
              <dd className="font-medium" data-testid="ticket-requester">
                {helpdesk.ticket.requester.name} {helpdesk.ticket.requester.email ? `<${helpdesk.ticket.requester.email}>` : ""}
              </dd>
            </div>
            <div>
              <dt className="text-slate-700">Organization</dt>
              <dd className="font-medium">{helpdesk.ticket.organization?.name ?? "—"}</dd>
            </div>
          </dl>
        ) : (
          <p role="note">
            {helpdesk.state === "not_found"
              ? "The helpdesk has no ticket with this number."
              : helpdesk.state === "unverified"
                ? `${helpdesk.reason} The ticket is unverified.`
                : `${helpdesk.reason} Copy the notes into the ticket by hand.`}
          </p>
        )}
        {helpdesk.state === "verified" && (
          <div className="mt-3" data-testid="ticket-suggestions">
            {suggestions.length === 0 ? (
              <p>No account or subuser has the requester&apos;s e-mail. Look the account up with the search box.</p>
            ) : (
              <>
                <p className="font-medium">The requester&apos;s {suggestions.length === 1 ? "account" : "accounts"}:</p>
                <ul className="mt-1 space-y-1">
                  {suggestions.map((a) => (
                    <li key={a.id}>
                      <Link
                        href={`/accounts/${a.id}${ticketQuery}`}
                        className="font-medium text-blue-800 underline"
                        data-testid="suggested-account"
                      >
                        {a.username} #{a.id}
                      </Link>{" "}
                      <span className="text-slate-700">
                        {a.parentId ? `subuser of #${a.parentId} · ` : ""}
                        {a.hasEraseJobScopes ? "erase-job scopes present" : "erase-job scopes missing: open it to reset"}
                      </span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
        {deliveries.length > 0 && (
          <div className="mt-3">
            <p className="font-medium">Posted into the ticket by Scopedesk:</p>
            <HelpdeskDeliveries deliveries={deliveries} canRetry={canAct} />
          </div>
        )}
      </section>
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
                  title={
                    entry.type === "ticket_note"
                      ? `${entry.note.familyResetId ? "Family reset's t" : "T"}${NOTE_TITLE[entry.note.kind as keyof typeof NOTE_TITLE].slice(1)}`
                      : "Admin note (on the account)"
                  }
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
