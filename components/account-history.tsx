import Link from "next/link";
import type { GetAccountOutput } from "@/lib/http/console/accounts";
import { ticketPath } from "@/lib/tickets/ticket-ref";
import { NoteBlock } from "./copy-button";
import { formatUtcShort } from "./local-time";

/** The account's reset attempts and admin notes, newest first. */
export function AccountHistory({ history }: { history: GetAccountOutput["history"] }) {
  return (
    <section aria-labelledby="history-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="history-heading" className="text-lg font-semibold">
        Reset history <span className="text-slate-600">({history.resets.length})</span>
      </h2>
      {history.resets.length === 0 ? (
        <p className="text-sm text-slate-700">No scope reset has been recorded for this account.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-slate-700">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">
                When (UTC)
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Outcome
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                By
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Ticket
              </th>
              <th scope="col" className="py-1 font-medium">
                Change
              </th>
            </tr>
          </thead>
          <tbody>
            {history.resets.map((r) => (
              <tr key={r.id} className="border-b border-slate-100 align-top" data-testid="reset-history-row">
                <td className="py-2 pr-3">
                  <Link className="text-blue-800 underline" href={`/scope-resets/${r.id}`}>
                    {formatUtcShort(r.createdAt)}
                  </Link>
                </td>
                <td className={`py-2 pr-3 font-medium ${r.outcome === "succeeded" ? "text-emerald-800" : "text-red-800"}`}>
                  {r.outcome}
                  {r.failureReason && <div className="max-w-md text-xs font-normal text-slate-700">{r.failureReason}</div>}
                </td>
                <td className="py-2 pr-3">{r.actorName}</td>
                <td className="py-2 pr-3">
                  <Link className="text-blue-800 underline" href={ticketPath(r.ticketId)}>
                    #{r.ticketId}
                  </Link>
                </td>
                <td className="py-2">
                  {r.outcome === "succeeded" ? (
                    <>
                      +{r.addedCount} / <span className={r.removedCount > 0 ? "text-red-800" : undefined}>−{r.removedCount}</span>
                    </>
                  ) : (
                    "nothing changed"
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2 id="admin-notes-heading" className="pt-2 text-lg font-semibold">
        Admin notes <span className="text-slate-600">({history.adminNotes.length})</span>
      </h2>
      {history.adminNotes.length === 0 ? (
        <p className="text-sm text-slate-700">No admin notes.</p>
      ) : (
        <div className="space-y-3">
          {history.adminNotes.map((n) => (
            <NoteBlock
              key={n.id}
              id={`admin-note-${n.id}`}
              title="Admin note"
              body={n.body}
              meta={
                <>
                  {n.authorName}, {formatUtcShort(n.createdAt)}
                  {n.ticketId && (
                    <>
                      {" · "}
                      <Link className="text-blue-800 underline" href={ticketPath(n.ticketId)}>
                        ticket #{n.ticketId}
                      </Link>
                    </>
                  )}
                </>
              }
            />
          ))}
        </div>
      )}
    </section>
  );
}
