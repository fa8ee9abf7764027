import Link from "next/link";
import type { GetFamilyResetOutput } from "@/lib/http/console/scope-resets";
import { NoteBlock } from "./copy-button";
import { CustomerReplyPanel } from "./customer-reply-panel";
import { HelpdeskDeliveries } from "./helpdesk-deliveries";
import { DualTime } from "./local-time";
import { ApprovalLink } from "./approvals/approval-link";

/**
 * The one summary of a family reset: each account's outcome, failures and
 * skips included, with links to each reset; the family's one note pair and
 * its delivery into the ticket; the one reply to the customer.
 */
export function FamilyResetSummary({ family, canAct }: { family: GetFamilyResetOutput; canAct: boolean }) {
  const failed = family.attempts.filter((a) => a.outcome === "failed").length;
  return (
    <div className="space-y-5">
      <div>
        <p className="text-sm text-slate-600">Family reset</p>
        <h1 className="text-2xl font-semibold tracking-tight">
          {family.attempts.length - failed} of {family.attempts.length} accounts reset
        </h1>
        <p className="text-sm text-slate-700">
          By {family.actorName} for ticket{" "}
          <Link href={family.ticket.path} className="text-blue-800 underline">
            #{family.ticket.ticketId}
          </Link>
          {failed > 0 ? `; ${failed} failed or not attempted, the others are done.` : "."}
        </p>
      </div>
      <ApprovalLink approval={family.approval} />
      <table className="w-full rounded-lg border border-slate-200 bg-white text-left text-sm" data-testid="family-summary">
        <thead className="border-b border-slate-200 text-slate-700">
          <tr>
            <th scope="col" className="p-2 font-medium">
              Account
            </th>
            <th scope="col" className="p-2 font-medium">
              Outcome
            </th>
            <th scope="col" className="p-2 font-medium">
              Changes
            </th>
            <th scope="col" className="p-2 font-medium">
              When
            </th>
          </tr>
        </thead>
        <tbody>
          {family.attempts.map((a) => (
            <tr key={a.id} className="border-b border-slate-100 align-top" data-testid="family-member">
              <td className="p-2">
                <Link href={`/accounts/${a.account.id}`} className="text-blue-800 underline">
                  {a.account.username}
                </Link>{" "}
                <span className="text-slate-600">
                  #{a.account.id} · {a.account.role}
                </span>
              </td>
              <td className="p-2">
                {a.outcome === "succeeded" ? (
                  <Link href={`/scope-resets/${a.id}`} className="font-medium text-emerald-800 underline">
                    reset{a.mode === "minimal" ? " (minimal)" : ""}
                  </Link>
                ) : (
                  <span className="font-medium text-red-800">failed: {a.failureReason}</span>
                )}
              </td>
              <td className="p-2">{a.outcome === "succeeded" ? `+${a.addedCount} / −${a.removedCount}` : "nothing changed"}</td>
              <td className="p-2">
                <DualTime iso={a.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <section
        aria-labelledby="family-helpdesk"
        className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm"
        data-testid="helpdesk-status"
      >
        <h2 id="family-helpdesk" className="text-lg font-semibold">
          In the helpdesk ticket
        </h2>
        {!family.notes.before ? (
          <p>No ticket notes: no account of this family was reset.</p>
        ) : !family.helpdesk.connected ? (
          <p>The helpdesk is not connected: copy the two notes below into the ticket as internal notes.</p>
        ) : family.deliveries.length === 0 ? (
          <p>The notes were not sent to the helpdesk (it was not connected when the family was reset): copy them below.</p>
        ) : (
          <p>One pair of internal notes for the whole family, posted into the ticket by the worker, once each.</p>
        )}
        <HelpdeskDeliveries deliveries={family.deliveries} canRetry={canAct} />
      </section>

      <section aria-labelledby="reply-heading" className="space-y-2 rounded-lg border border-blue-200 bg-blue-50 p-4">
        <h2 id="reply-heading" className="text-lg font-semibold">
          Reply to the customer
        </h2>
        <p className="text-sm text-slate-700">
          One reply for the whole family, drafted from the accounts as they are now. If their keys, subusers or scopes change before it is
          sent, sending shows the new draft.
        </p>
        <CustomerReplyPanel
          reply={family.reply}
          target={{ kind: "family", familyResetId: family.id }}
          ticketLabel={`ticket #${family.ticket.ticketId}`}
          connected={family.helpdesk.connected}
          canSend={canAct}
        />
      </section>

      {(family.notes.before || family.notes.after) && (
        <section aria-labelledby="family-notes" className="space-y-3">
          <h2 id="family-notes" className="text-lg font-semibold">
            Notes written
          </h2>
          {family.notes.before && <NoteBlock title="Ticket note 1" body={family.notes.before.body} />}
          {family.notes.after && <NoteBlock title="Ticket note 2" body={family.notes.after.body} />}
        </section>
      )}
    </div>
  );
}
