import Link from "next/link";
import type { GetScopeResetOutput } from "@/lib/http/console/scope-resets";
import { NoteBlock } from "./copy-button";
import { DualTime } from "./local-time";
import { CustomerReplyPanel } from "./customer-reply-panel";
import { HelpdeskDeliveries } from "./helpdesk-deliveries";
import { AccountLinks, KeyLossList, KeysLackingList } from "./reset-plan-parts";
import { ApprovalLink } from "./approvals/approval-link";

/** The agent's result view: outcome, diff, the notes as written, and the reply to send. */
export function ResetResult({ reset, canAct }: { reset: GetScopeResetOutput; canAct: boolean }) {
  const ok = reset.outcome === "succeeded";
  const notes = reset.deliveries;
  return (
    <div className="space-y-5">
      <div>
        <p className="text-sm text-slate-600">Scope reset</p>
        <h1 className="text-2xl font-semibold tracking-tight">
          <Link href={`/accounts/${reset.account.id}`} className="text-blue-800 underline">
            {reset.account.username} #{reset.account.id}
          </Link>
        </h1>
      </div>

      <section
        aria-labelledby="outcome-heading"
        data-testid="reset-outcome"
        className={`rounded-lg border-2 p-4 ${ok ? "border-emerald-300 bg-emerald-50" : "border-red-300 bg-red-50"}`}
      >
        <h2 id="outcome-heading" className="text-lg font-semibold">
          {ok ? "Scopes reset and verified" : "Reset failed: nothing was changed"}
        </h2>
        {ok && reset.eraseJobAfter?.both && (
          <p className="text-sm">recipients.erasejob.create and recipients.erasejob.read are present on the account.</p>
        )}
        {reset.failureReason && <p className="text-sm">Reason: {reset.failureReason}</p>}
        <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2 lg:grid-cols-3">
          <Item label="By">
            {reset.actor.name} &lt;{reset.actor.email}&gt;
          </Item>
          <Item label="When">
            <DualTime iso={reset.createdAt} />
          </Item>
          <Item label="Ticket">
            <a href={reset.ticket.url} target="_blank" rel="noreferrer" className="text-blue-800 underline">
              #{reset.ticket.ticketId}
            </a>{" "}
            (
            <Link href={reset.ticket.path} className="text-blue-800 underline">
              all notes
            </Link>
            )
          </Item>
          {ok && (
            <Item label="Scopes">
              {reset.before?.length ?? "?"} before → {reset.after?.length ?? "?"} after
            </Item>
          )}
          {ok && (
            <Item label="Kind">{reset.mode === "minimal" ? "Minimal: erase-job scopes added, nothing removed" : "Default scope set"}</Item>
          )}
          {reset.familyResetId && (
            <Item label="Family reset">
              <Link href={`/family-resets/${reset.familyResetId}`} className="text-blue-800 underline">
                all accounts of this reset
              </Link>
            </Item>
          )}
          {reset.reason && <Item label="Reason">{reset.reason}</Item>}
          <Item label="Request id">
            <code className="text-xs">{reset.requestId}</code>
          </Item>
        </dl>
      </section>

      <ApprovalLink approval={reset.approval} />

      {ok && (
        <section aria-labelledby="diff-heading" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="diff-heading" className="text-lg font-semibold">
            What changed
          </h2>
          <div className="mt-2 grid gap-3 sm:grid-cols-2">
            <DiffList title={`Added (${reset.added.length})`} scopes={reset.added} sign="+" tone="text-emerald-800" testId="diff-added" />
            <DiffList
              title={`Removed (${reset.removed.length})`}
              scopes={reset.removed}
              sign="−"
              tone="text-red-800"
              testId="diff-removed"
            />
          </div>
        </section>
      )}

      {ok && (
        <section
          aria-labelledby="helpdesk-heading"
          className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm"
          data-testid="helpdesk-status"
        >
          <h2 id="helpdesk-heading" className="text-lg font-semibold">
            In the helpdesk ticket
          </h2>
          {!reset.helpdesk.connected ? (
            <p>The helpdesk is not connected: copy the notes below into the ticket as internal notes.</p>
          ) : notes.length === 0 ? (
            <p>The notes were not sent to the helpdesk (it was not connected when the reset was done): copy them below.</p>
          ) : reset.familyResetId ? (
            <p>
              The family&apos;s two ticket notes (one pair for all its accounts) are posted into the ticket as internal notes, once each.
            </p>
          ) : (
            <p>Both ticket notes are posted into the ticket as internal notes by the worker, once each.</p>
          )}
          {reset.helpdesk.ticketVerified === false && (
            <p className="text-amber-900">The helpdesk did not answer when the reset was confirmed, so the ticket is unverified.</p>
          )}
          <HelpdeskDeliveries deliveries={notes} canRetry={canAct} />
        </section>
      )}

      {reset.impact && (
        <section
          aria-labelledby="impact-heading"
          className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm"
          data-testid="reset-impact"
        >
          <h2 id="impact-heading" className="text-lg font-semibold">
            What it means for the customer
          </h2>
          {reset.impact.anomaly && <p className="font-medium text-red-900">Anomaly: {reset.impact.anomaly}</p>}
          {reset.impact.losses.length > 0 ? (
            <div className="rounded border border-red-300 bg-red-50 p-2">
              <p className="font-semibold">Existing keys that lost scopes (acknowledged before the reset):</p>
              <KeyLossList losses={reset.impact.losses} accountId={reset.account.id} />
            </div>
          ) : (
            <p>No existing key lost a scope.</p>
          )}
          <KeysLackingList keys={reset.impact.keysLackingEraseJob} />
          {reset.impact.subusersLackingEraseJob.length > 0 && (
            <p>
              Subusers still without the erase-job scopes (erase requests on-behalf-of them are refused):{" "}
              <AccountLinks accounts={reset.impact.subusersLackingEraseJob} />
            </p>
          )}
        </section>
      )}

      {ok && reset.familyResetId && (
        <section aria-labelledby="reply-heading" className="rounded-lg border border-blue-200 bg-blue-50 p-4 text-sm">
          <h2 id="reply-heading" className="text-lg font-semibold">
            Reply to the customer
          </h2>
          <p>
            This account was reset with its family: the customer gets one reply for all of them,{" "}
            <Link href={`/family-resets/${reset.familyResetId}`} className="text-blue-800 underline">
              on the family reset&apos;s page
            </Link>
            .
          </p>
        </section>
      )}

      {reset.reply && (
        <section aria-labelledby="reply-heading" className="space-y-2 rounded-lg border border-blue-200 bg-blue-50 p-4">
          <h2 id="reply-heading" className="text-lg font-semibold">
            Reply to the customer
          </h2>
          <p className="text-sm text-slate-700">
            Drafted from the account as it is now: its keys, its subusers and its scopes. If they change before it is sent, sending shows
            the new draft.
          </p>
          <CustomerReplyPanel
            reply={reset.reply}
            target={{ kind: "reset", resetId: reset.id }}
            ticketLabel={`ticket #${reset.ticket.ticketId}`}
            connected={reset.helpdesk.connected}
            canSend={canAct}
          />
        </section>
      )}

      {(reset.notes.before || reset.notes.after || reset.notes.admin) && (
        <section aria-labelledby="notes-heading" className="space-y-3">
          <h2 id="notes-heading" className="text-lg font-semibold">
            Notes written
          </h2>
          <ul className="flex flex-wrap gap-4 text-sm">
            {reset.notes.before && (
              <li>
                <Link className="text-blue-800 underline" href={`${reset.ticket.path}#note-${reset.notes.before.id}`}>
                  Ticket note 1 (scopes before)
                </Link>
              </li>
            )}
            {reset.notes.after && (
              <li>
                <Link className="text-blue-800 underline" href={`${reset.ticket.path}#note-${reset.notes.after.id}`}>
                  Ticket note 2 (scopes after)
                </Link>
              </li>
            )}
            {reset.notes.admin && (
              <li>
                <Link className="text-blue-800 underline" href={`/accounts/${reset.account.id}#admin-note-${reset.notes.admin.id}`}>
                  Admin note on the account
                </Link>
              </li>
            )}
          </ul>
          {reset.notes.before && <NoteBlock title="Ticket note 1" body={reset.notes.before.body} />}
          {reset.notes.after && <NoteBlock title="Ticket note 2" body={reset.notes.after.body} />}
          {reset.notes.admin && <NoteBlock title="Admin note" body={reset.notes.admin.body} />}
        </section>
      )}
    </div>
  );
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-slate-700">{label}</dt>
      <dd className="font-medium">{children}</dd>
    </div>
  );
}

function DiffList({ title, scopes, sign, tone, testId }: { title: string; scopes: string[]; sign: string; tone: string; testId: string }) {
  return (
    <div data-testid={testId}>
      <h3 className={`text-sm font-semibold ${tone}`}>{title}</h3>
      {scopes.length === 0 ? (
        <p className="text-sm text-slate-700">none</p>
      ) : (
        <ul tabIndex={0} aria-label={title} className="mt-1 max-h-64 overflow-auto font-mono text-xs">
          {scopes.map((s) => (
            <li key={s}>
              {sign} {s}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
