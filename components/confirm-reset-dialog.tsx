"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { Dialog } from "radix-ui";
import { useState, type RefObject } from "react";
import type { FiredRule } from "@/lib/approvals/policy";
import { asApiError, type ApiError } from "@/lib/client/api-fetch";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import type { RequestApprovalErrors } from "@/lib/http/console/approvals";
import type { ResetScopesErrors } from "@/lib/http/console/scope-resets";
import { largeAdditionNotice } from "@/lib/scope-resets/large-addition";
import type { ResetMode } from "@/lib/scope-resets/plan";
import { RESET_REASON_MAX_LENGTH } from "@/lib/scope-resets/request";
import { ApprovalNeeded } from "./approvals/approval-needed";
import { formatUtcShort } from "./local-time";
import { KeyLossList, KeysLackingList, ScopeDiff } from "./reset-plan-parts";
import type { Preview } from "./reset-scopes";
import { useConfirmationTicket } from "./ticket-context";

/**
 * Loaded only when the agent opens it (see reset-scopes.tsx), so the account page stays light.
 * Reusable outside the console's pages (the Zendesk sidebar): where to go afterwards (`onNavigate`, default
 * the console's router) and where focus returns when it closes (`returnFocusTo`) are the caller's.
 */
export default function ConfirmResetDialog({
  preview,
  onClose,
  accountLabel,
  onNavigate,
  returnFocusTo,
}: {
  preview: Preview;
  onClose(): void;
  accountLabel: string;
  onNavigate?: (href: string) => void;
  returnFocusTo?: RefObject<HTMLElement | null>;
}) {
  const { detail, idempotencyKey } = preview;
  const { resetPlan, account } = detail;
  const { ticket, helpdesk, text: ticketText, setText: setTicketText, resolve: resolveTicket } = useConfirmationTicket();
  // When keys would lose scopes, the reset that takes nothing from them comes first; the default stays one click away.
  const [mode, setMode] = useState<ResetMode>(resetPlan.minimal && resetPlan.default.keyImpact.losses.length > 0 ? "minimal" : "default");
  const plan = mode === "minimal" && resetPlan.minimal ? resetPlan.minimal : resetPlan.default;
  // The rules this plan fires (from the account's read; the server's answer replaces them if it found others under its lock).
  const [serverRules, setServerRules] = useState<{ mode: ResetMode; rules: FiredRule[] } | null>(null);
  const rules =
    serverRules?.mode === mode
      ? serverRules.rules
      : ((mode === "minimal" ? detail.approval.rules.minimal : detail.approval.rules.default) ?? []);
  const needsApproval = rules.length > 0;
  const largeAddition = largeAdditionNotice({ added: plan.added.length, removed: plan.removed.length, afterCount: plan.afterCount });
  const usage = { lastUsed: detail.keyLastUsed, now: detail.readAt };
  const [ticketError, setTicketError] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [acknowledged, setAcknowledged] = useState(false);
  const [ackError, setAckError] = useState<string | null>(null);
  const router = useRouter();
  const navigate = onNavigate ?? ((href: string) => router.push(href));
  const queryClient = useQueryClient();
  const losses = plan.keyImpact.losses;

  const approvalMutation = useMutation({
    mutationFn: (body: { ticket: string; reason: string }) =>
      consoleApi.requestApproval(account.id, {
        kind: "reset",
        ...body,
        idempotencyKey,
        expectedFingerprint: resetPlan.previewFingerprint,
        mode: plan.mode,
        ...(plan.keyImpact.fingerprint ? { acknowledgedKeyImpact: plan.keyImpact.fingerprint } : {}),
      }),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.account(account.id), refetchType: "none" });
      navigate(`/approvals/${result.approval.id}`);
    },
  });

  const mutation = useMutation({
    mutationFn: (body: { ticket: string; reason?: string }) =>
      consoleApi.resetScopes(account.id, {
        ...body,
        idempotencyKey,
        expectedFingerprint: resetPlan.previewFingerprint,
        mode: plan.mode,
        ...(plan.keyImpact.fingerprint ? { acknowledgedKeyImpact: plan.keyImpact.fingerprint } : {}),
      }),
    onSuccess: (result) => {
      // The account changed, but the agent is leaving its page: mark it stale
      // for when they come back instead of fetching it again now.
      void queryClient.invalidateQueries({ queryKey: queryKeys.account(account.id), refetchType: "none" });
      navigate(result.reset.links.page);
    },
    onError: (failure) => {
      // The rules fired under the server's lock (the account changed since it was read): ask for approval instead.
      const required = asApiError<ResetScopesErrors>(failure)?.detailsFor("approval_required");
      if (required) setServerRules({ mode: plan.mode, rules: required.rules });
    },
  });

  function confirm(event: React.FormEvent) {
    event.preventDefault();
    const ticketRef = resolveTicket();
    if (!ticketRef.ok) return setTicketError(ticketRef.error);
    setTicketError(null);
    if (losses.length > 0 && !acknowledged) {
      return setAckError("Confirm that you have read which existing keys lose which scopes, or choose the minimal reset.");
    }
    setAckError(null);
    if (needsApproval && reason.trim() === "") {
      return setReasonError("This reset needs approval: write why it should go ahead (the approver reads it).");
    }
    if (plan.nothingToDo && reason.trim() === "") {
      return setReasonError("Both erase-job scopes are already present: write why you reset anyway.");
    }
    setReasonError(null);
    if (needsApproval) {
      mutation.reset();
      return approvalMutation.mutate({ ticket: ticketRef.ticketId, reason });
    }
    mutation.mutate({ ticket: ticketRef.ticketId, ...(reason.trim() ? { reason } : {}) });
  }

  async function reviewAgain() {
    await queryClient.invalidateQueries({ queryKey: queryKeys.account(account.id) });
    router.refresh();
    onClose();
  }

  const resetError = asApiError<ResetScopesErrors>(mutation.error);
  // Asking for approval replaces the refusal that said it was needed.
  const error = resetError?.code === "approval_required" ? null : resetError;
  const approvalError = asApiError<RequestApprovalErrors>(approvalMutation.error);
  const busy = mutation.isPending || mutation.isSuccess || approvalMutation.isPending || approvalMutation.isSuccess;
  const stale = [error?.code, approvalError?.code].some(
    (c) => c === "stale_preview" || c === "already_reset" || c === "key_impact_unacknowledged",
  );

  return (
    <Dialog.Root open onOpenChange={(open) => !open && !busy && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <Dialog.Content
          onCloseAutoFocus={(event) => {
            // Back to the button that opened it (it may have re-rendered since): keyboard users carry on from there.
            if (returnFocusTo?.current) {
              event.preventDefault();
              returnFocusTo.current.focus();
            }
          }}
          className="fixed left-1/2 top-1/2 z-50 max-h-[90vh] w-[min(52rem,calc(100vw-1rem))] -translate-x-1/2 -translate-y-1/2 overflow-auto rounded-lg bg-white p-4 shadow-xl focus:outline-none sm:p-5"
        >
          <Dialog.Title className="text-xl font-semibold">Reset scopes of {accountLabel}?</Dialog.Title>
          <Dialog.Description className="mt-1 text-sm text-slate-700">
            Both ticket notes, the admin note and the reset record are written in the same transaction: all of it happens, or none of it.
          </Dialog.Description>

          <form onSubmit={confirm} className="mt-4 space-y-4">
            <div className="rounded border border-slate-200 p-3 text-sm">
              {ticket ? (
                <p>
                  Ticket:{" "}
                  <a
                    href={ticket.url}
                    target="_blank"
                    rel="noreferrer"
                    className="font-semibold text-blue-800 underline"
                    data-testid="dialog-ticket"
                  >
                    #{ticket.ticketId}
                  </a>{" "}
                  <span className="break-all text-slate-600">({ticket.url})</span>
                </p>
              ) : (
                <div className="space-y-1">
                  <label htmlFor="reset-ticket" className="block font-medium">
                    Ticket (required)
                  </label>
                  <input
                    id="reset-ticket"
                    value={ticketText}
                    onChange={(e) => setTicketText(e.target.value)}
                    placeholder={`Ticket URL on ${helpdesk.baseUrl}, #123 or 123`}
                    maxLength={500}
                    aria-invalid={ticketError ? true : undefined}
                    aria-describedby={ticketError ? "reset-ticket-error" : undefined}
                    className="w-full rounded border border-slate-300 px-2 py-1"
                  />
                  {ticketError && (
                    <p id="reset-ticket-error" role="alert" className="text-red-800">
                      {ticketError}
                    </p>
                  )}
                </div>
              )}
            </div>

            {resetPlan.minimal && (
              <fieldset className="rounded border border-slate-200 p-3 text-sm">
                <legend className="px-1 font-medium">Kind of reset</legend>
                <label className="flex items-start gap-2">
                  <input
                    type="radio"
                    name="mode"
                    checked={mode === "default"}
                    onChange={() => {
                      setMode("default");
                      setAcknowledged(false);
                    }}
                    className="mt-1"
                  />
                  <span>
                    <strong>Default scope set</strong> (the procedure&apos;s Reset Scopes): adds {resetPlan.default.added.length}, removes{" "}
                    {resetPlan.default.removed.length}
                    {resetPlan.default.keyImpact.losses.length > 0 &&
                      `; ${resetPlan.default.keyImpact.losses.length} existing key(s) lose scopes, which you acknowledge`}
                    {detail.approval.rules.default.length > 0 && "; needs a second staff member's approval"}.
                  </span>
                </label>
                <label className="mt-1 flex items-start gap-2">
                  <input
                    type="radio"
                    name="mode"
                    checked={mode === "minimal"}
                    onChange={() => {
                      setMode("minimal");
                      setAcknowledged(false);
                    }}
                    className="mt-1"
                  />
                  <span>
                    <strong>Minimal</strong>: add the erase-job scopes ({resetPlan.minimal.added.length}), remove nothing; no key loses
                    anything.
                  </span>
                </label>
              </fieldset>
            )}

            {plan.nothingToDo && (
              <p className="rounded border border-amber-300 bg-amber-50 p-3 text-sm" role="note">
                Both erase-job scopes are already present, so there is nothing to do. Reset only with a reason.
              </p>
            )}

            {largeAddition && (
              <p role="note" className="rounded border border-amber-400 bg-amber-50 p-3 text-sm font-medium" data-testid="large-addition">
                {largeAddition}
              </p>
            )}
            <ScopeDiff added={plan.added} removed={plan.removed} />
            <ul className="space-y-1 text-sm text-slate-800">
              <li>
                Kept unchanged: {plan.keptCount} scope{plan.keptCount === 1 ? "" : "s"}; after the reset: {plan.afterCount}.
              </li>
              <li>
                Platform-managed scopes kept as they are:{" "}
                {plan.preservedPlatformManaged.length === 0 ? "none" : <code>{plan.preservedPlatformManaged.join(", ")}</code>}
              </li>
              {plan.withheldByParent.length > 0 && (
                <li>Withheld because the parent lacks them or only a parent may hold them: {plan.withheldByParent.length}</li>
              )}
              <li data-testid="erase-job-after">
                Erase-job scopes after the reset:{" "}
                <strong className={plan.eraseJobAfter.both ? "text-emerald-800" : "text-red-800"}>
                  {plan.eraseJobAfter.both ? "both present" : `missing ${plan.eraseJobAfter.missing.join(", ")}`}
                </strong>
              </li>
            </ul>

            <div className="rounded border border-slate-200 p-3 text-sm" data-testid="dialog-key-impact">
              <h3 className="font-semibold">Existing API keys</h3>
              {losses.length === 0 ? (
                <p>No existing key loses a scope it can use now.</p>
              ) : (
                <div className="mt-1 rounded border border-red-300 bg-red-50 p-2">
                  <p className="font-semibold text-red-900">
                    {losses.length} existing key{losses.length === 1 ? "" : "s"} would lose scopes{" "}
                    {losses.length === 1 ? "it uses" : "they use"}:
                  </p>
                  <KeyLossList losses={losses} accountId={account.id} usage={usage} />
                  <label className="mt-2 flex items-start gap-2 font-medium">
                    <input
                      type="checkbox"
                      checked={acknowledged}
                      onChange={(e) => setAcknowledged(e.target.checked)}
                      aria-describedby={ackError ? "ack-error" : undefined}
                      className="mt-1"
                    />
                    <span>
                      I have read this list; the ticket notes, the admin note and the customer reply will say what these keys lose.
                    </span>
                  </label>
                  {ackError && (
                    <p id="ack-error" role="alert" className="text-red-800">
                      {ackError}
                    </p>
                  )}
                </div>
              )}
              <div className="mt-2">
                <KeysLackingList keys={plan.keysLackingEraseJob} />
              </div>
              {resetPlan.subusersLackingCount > 0 && (
                <p className="mt-2">
                  {resetPlan.subusersLackingCount} subuser(s) still lack the erase-job scopes after this reset (
                  {resetPlan.subusersLackingEraseJob.map((s) => s.username).join(", ")}
                  {resetPlan.subusersLackingCount > resetPlan.subusersLackingEraseJob.length
                    ? ` and ${resetPlan.subusersLackingCount - resetPlan.subusersLackingEraseJob.length} more`
                    : ""}
                  ): the notes and the reply say so.
                </p>
              )}
              {resetPlan.anomaly && (
                <p className="mt-2 font-medium text-red-900">The anomaly is written into both ticket notes and the admin note.</p>
              )}
            </div>

            {needsApproval && <ApprovalNeeded rules={rules} />}

            <div className="space-y-1 text-sm">
              <label htmlFor="reset-reason" className="block font-medium">
                Reason {needsApproval ? "(required: the approver reads it)" : plan.nothingToDo ? "(required)" : "(optional)"}
              </label>
              <textarea
                id="reset-reason"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                maxLength={RESET_REASON_MAX_LENGTH}
                rows={3}
                aria-invalid={reasonError ? true : undefined}
                aria-describedby="reset-reason-hint"
                className="w-full rounded border border-slate-300 px-2 py-1"
              />
              <p id="reset-reason-hint" className="text-slate-600">
                {reason.length}/{RESET_REASON_MAX_LENGTH} characters. Written into ticket note 2 and the admin note.
              </p>
              {reasonError && (
                <p role="alert" className="text-red-800">
                  {reasonError}
                </p>
              )}
            </div>

            {error && <ResetError error={error} accountId={account.id} onReviewAgain={reviewAgain} />}
            {approvalError && <ApprovalRequestError error={approvalError} accountId={account.id} onReviewAgain={reviewAgain} />}

            <div className="flex flex-wrap justify-end gap-2">
              <Dialog.Close asChild>
                <button type="button" disabled={busy} className="rounded border border-slate-300 px-3 py-2 text-sm">
                  Cancel
                </button>
              </Dialog.Close>
              <button
                type="submit"
                disabled={busy || stale}
                className="rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60"
              >
                {needsApproval
                  ? busy
                    ? "Requesting…"
                    : "Request approval"
                  : busy
                    ? "Resetting…"
                    : plan.mode === "minimal"
                      ? "Add the erase-job scopes"
                      : "Reset scopes"}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

export function ResetError({
  error,
  accountId,
  onReviewAgain,
}: {
  error: ApiError<ResetScopesErrors>;
  accountId: number;
  onReviewAgain(): void;
}) {
  if (error.code === "stale_preview" || error.code === "key_impact_unacknowledged") {
    const losses = error.detailsFor("key_impact_unacknowledged")?.keyImpact.losses;
    return (
      <div role="alert" className="rounded border border-amber-400 bg-amber-50 p-3 text-sm">
        <p className="font-semibold">Review again</p>
        <p>{error.message}</p>
        {losses && losses.length > 0 && <KeyLossList losses={losses} accountId={accountId} />}
        <button type="button" onClick={onReviewAgain} className="mt-2 rounded bg-slate-800 px-3 py-1 text-white">
          Reload the account
        </button>
      </div>
    );
  }
  if (error.code === "already_reset") {
    const details = error.detailsFor("already_reset");
    return (
      <div role="alert" className="rounded border border-amber-400 bg-amber-50 p-3 text-sm">
        <p className="font-semibold">
          Already reset{details?.actorName ? ` by ${details.actorName}` : ""}
          {details?.at ? ` at ${formatUtcShort(details.at)}` : ""}
        </p>
        <p>{error.message}</p>
        <div className="mt-2 flex gap-3">
          {details?.resetId && (
            <a className="text-blue-800 underline" href={`/scope-resets/${details.resetId}`}>
              Open that reset
            </a>
          )}
          <button type="button" onClick={onReviewAgain} className="text-slate-800 underline">
            Reload the account
          </button>
        </div>
      </div>
    );
  }
  return <ErrorNotice error={error} />;
}

/** Why an approval request was refused: as a reset's refusal, or the account's live request to open instead. */
export function ApprovalRequestError({
  error,
  accountId,
  onReviewAgain,
}: {
  error: ApiError<RequestApprovalErrors>;
  accountId: number;
  onReviewAgain(): void;
}) {
  const live = error.detailsFor("conflict");
  if (live?.approvalId) {
    return (
      <div role="alert" className="rounded border border-amber-400 bg-amber-50 p-3 text-sm">
        <p>{error.message}</p>
        <a className="mt-1 inline-block font-medium text-blue-800 underline" href={`/approvals/${live.approvalId}`}>
          Open that request
        </a>
      </div>
    );
  }
  if (error.code === "stale_preview" || error.code === "key_impact_unacknowledged" || error.code === "already_reset") {
    return <ResetError error={error as unknown as ApiError<ResetScopesErrors>} accountId={accountId} onReviewAgain={onReviewAgain} />;
  }
  return <ErrorNotice error={error} />;
}

/** A refusal or failure with nothing more to offer than its message (and the request id to quote). */
export function ErrorNotice({ error }: { error: { message: string; requestId: string | null } }) {
  return (
    <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900">
      <p>{error.message}</p>
      {error.requestId && <p className="text-xs">Request id: {error.requestId}</p>}
    </div>
  );
}
