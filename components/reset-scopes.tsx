"use client";

import dynamic from "next/dynamic";
import Link from "next/link";
import { useRef, useState } from "react";
import type { GetAccountOutput } from "@/lib/http/console/accounts";
import { NewKeyReply } from "./new-key-reply";
import { AccountLinks, KeyLossList, ScopeDiff } from "./reset-plan-parts";

// The dialogs (and their Radix and mutation code) load on first use, not with the account page.
const ConfirmResetDialog = dynamic(() => import("./confirm-reset-dialog"), { ssr: false });
const FamilyResetDialog = dynamic(() => import("./family-reset-dialog"), { ssr: false });

/** The preview the agent confirms: frozen when the dialog opens, so a background refresh cannot change what was read. */
export interface Preview {
  detail: GetAccountOutput;
  idempotencyKey: string;
}

/**
 * Reset Scopes on the account page: the plan at a glance (what a reset adds
 * and removes, even when there is nothing to do), what it would take from
 * existing keys, the subusers still without the scopes, then a confirmation
 * dialog naming the account and the ticket. The server re-checks everything
 * (role, ticket, preview and key-loss fingerprints); this only helps the
 * agent decide.
 */
export function ResetScopes({
  detail,
  canReset,
  role,
  onNavigate,
}: {
  detail: GetAccountOutput;
  canReset: boolean;
  role: string;
  /** Where the dialogs go afterwards (default: the console's router); the Zendesk sidebar passes its own. */
  onNavigate?: (href: string) => void;
}) {
  const { resetPlan, account } = detail;
  const plan = resetPlan.default;
  const [preview, setPreview] = useState<Preview | null>(null);
  const [family, setFamily] = useState<string | null>(null);
  const resetButton = useRef<HTMLButtonElement>(null);
  const familyButton = useRef<HTMLButtonElement>(null);
  const lacking = resetPlan.subusersLackingEraseJob;
  const lackingCount = resetPlan.subusersLackingCount;
  const live = detail.approval.live;

  return (
    <section aria-labelledby="reset-heading" className="rounded-lg border border-slate-200 bg-white p-4" data-testid="reset-panel">
      <h2 id="reset-heading" className="text-lg font-semibold">
        Reset Scopes
      </h2>

      {resetPlan.blocked ? (
        <div role="note" className="mt-2 rounded border border-amber-400 bg-amber-50 p-3 text-sm" data-testid="parent-blocks-reset">
          <p className="font-semibold">The parent account must be reset first</p>
          <p>{resetPlan.blocked.message}</p>
          <Link href={`/accounts/${resetPlan.blocked.parent.id}`} className="mt-1 inline-block font-medium text-blue-800 underline">
            Open the parent {resetPlan.blocked.parent.username} #{resetPlan.blocked.parent.id} to reset it
          </Link>
        </div>
      ) : (
        <>
          {plan.nothingToDo ? (
            <p className="text-sm text-slate-800">
              Both erase-job scopes are already present: <strong>nothing to do</strong>. A reset anyway needs a written reason, and it would
              add <strong>{plan.added.length}</strong> and remove{" "}
              <strong className={plan.removed.length > 0 ? "text-red-800" : undefined}>{plan.removed.length}</strong> scope
              {plan.removed.length === 1 ? "" : "s"}:
            </p>
          ) : (
            <p className="text-sm text-slate-800">
              A reset sets the default scopes (admin list + erase-job scopes): it adds <strong>{plan.added.length}</strong> and removes{" "}
              <strong className={plan.removed.length > 0 ? "text-red-800" : undefined}>{plan.removed.length}</strong> scope
              {plan.removed.length === 1 ? "" : "s"}, leaving {plan.afterCount}.
            </p>
          )}
          {resetPlan.parent && (
            <p className="mt-1 text-sm text-slate-700">
              A subuser of {resetPlan.parent.username} #{resetPlan.parent.id}: its plan is bounded by the parent&apos;s scopes
              {plan.withheldByParent.length > 0 ? ` (${plan.withheldByParent.length} default scopes withheld)` : ""}.
            </p>
          )}
          {(plan.nothingToDo || plan.removed.length > 0) && <ScopeDiff added={plan.added} removed={plan.removed} compact />}
          {plan.nothingToDo && <NewKeyReply accountId={account.id} canSend={canReset} />}
          {plan.keyImpact.losses.length > 0 && (
            <div className="mt-3 rounded border border-red-300 bg-red-50 p-3 text-sm" data-testid="key-losses-warning">
              <p className="font-semibold text-red-900">
                The default reset would take scopes from {plan.keyImpact.losses.length} existing API key
                {plan.keyImpact.losses.length === 1 ? "" : "s"}:
              </p>
              <KeyLossList
                losses={plan.keyImpact.losses}
                accountId={account.id}
                usage={{ lastUsed: detail.keyLastUsed, now: detail.readAt }}
              />
              {resetPlan.minimal && (
                <p className="mt-1">
                  The confirmation starts with the minimal reset (add the erase-job scopes, remove nothing); the default one
                  {detail.approval.rules.default.length > 0 ? " needs a second staff member's approval" : " needs your acknowledgement"}.
                </p>
              )}
            </div>
          )}
        </>
      )}

      {lackingCount > 0 && (
        <div className="mt-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="subusers-lacking">
          <p>
            <strong>
              {lackingCount} subuser{lackingCount === 1 ? "" : "s"}
            </strong>{" "}
            still lack{lackingCount === 1 ? "s" : ""} the erase-job scopes; erase requests on-behalf-of {lackingCount === 1 ? "it" : "them"}{" "}
            are refused until each is reset: <AccountLinks accounts={lacking} />
            {lackingCount > lacking.length ? ` and ${lackingCount - lacking.length} more (Reset with subusers… lists them)` : ""}
          </p>
        </div>
      )}

      {live && (
        <div role="note" className="mt-3 rounded border border-violet-300 bg-violet-50 p-3 text-sm" data-testid="live-approval">
          <p>
            <strong>
              An approval request for this account is{" "}
              {live.state === "pending" ? "waiting for a decision" : "approved, not yet carried out"}
            </strong>{" "}
            (asked by {live.requestedByName}).
          </p>
          <Link href={`/approvals/${live.id}`} className="font-medium text-blue-800 underline">
            Open the approval request
          </Link>
        </div>
      )}

      {!canReset && <p className="mt-2 text-sm text-slate-700">Your role ({role}) cannot reset scopes.</p>}
      {canReset && !resetPlan.blocked && (
        <div className="mt-3 flex flex-wrap gap-2">
          <button
            ref={resetButton}
            type="button"
            onClick={() => setPreview({ detail, idempotencyKey: crypto.randomUUID() })}
            className={
              plan.nothingToDo
                ? "rounded border border-slate-400 bg-white px-3 py-2 text-sm font-medium text-slate-900 hover:bg-slate-50"
                : "rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-800"
            }
          >
            {plan.nothingToDo ? "Reset anyway…" : "Reset Scopes…"}
          </button>
          {lackingCount > 0 && (
            <button
              ref={familyButton}
              type="button"
              onClick={() => setFamily(crypto.randomUUID())}
              className="rounded border border-blue-700 bg-white px-3 py-2 text-sm font-medium text-blue-800 hover:bg-blue-50"
            >
              {plan.nothingToDo ? "Reset subusers…" : "Reset with subusers…"}
            </button>
          )}
        </div>
      )}
      {preview && (
        <ConfirmResetDialog
          key={preview.idempotencyKey}
          preview={preview}
          onClose={() => setPreview(null)}
          accountLabel={`${account.username} #${account.id}`}
          onNavigate={onNavigate}
          returnFocusTo={resetButton}
        />
      )}
      {family && (
        <FamilyResetDialog
          key={family}
          idempotencyKey={family}
          accountId={account.id}
          accountLabel={`${account.username} #${account.id}`}
          onClose={() => setFamily(null)}
          onNavigate={onNavigate}
          returnFocusTo={familyButton}
          keyUsage={{ lastUsed: detail.keyLastUsed, now: detail.readAt }}
        />
      )}
    </section>
  );
}
