"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { Dialog } from "radix-ui";
import { useState, type RefObject } from "react";
import { approvalRules, type FiredRule } from "@/lib/approvals/policy";
import { asApiError } from "@/lib/client/api-fetch";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import type { RequestApprovalErrors } from "@/lib/http/console/approvals";
import type { FamilyResetErrors, FamilyResetPreviewOutput } from "@/lib/http/console/scope-resets";
import type { ResetMode } from "@/lib/scope-resets/plan";
import { RESET_REASON_MAX_LENGTH } from "@/lib/scope-resets/request";
import { ApprovalNeeded } from "./approvals/approval-needed";
import { ApprovalRequestError, ErrorNotice } from "./confirm-reset-dialog";
import { KeyLossList, ScopeDiff } from "./reset-plan-parts";
import { useConfirmationTicket } from "./ticket-context";

/**
 * One confirmation for a parent and the subusers the agent picks. The
 * preview comes from the server (each subuser's plan as it will be once the
 * parent is reset); every account is reset in its own transaction.
 */
export default function FamilyResetDialog({
  accountId,
  accountLabel,
  idempotencyKey,
  onClose,
  onNavigate,
  returnFocusTo,
  keyUsage,
}: {
  accountId: number;
  accountLabel: string;
  idempotencyKey: string;
  onClose(): void;
  /** Where to go afterwards (default: the console's router). */
  onNavigate?: (href: string) => void;
  /** Where focus returns when it closes: the button that opened it. */
  returnFocusTo?: RefObject<HTMLElement | null>;
  /** When each key was last used, to say what losing scopes means for it. */
  keyUsage?: { lastUsed: Readonly<Record<string, string | null>>; now: string };
}) {
  const { ticket, helpdesk, text: ticketText, setText: setTicketText, resolve: resolveTicket } = useConfirmationTicket();
  const [parentMode, setParentMode] = useState<ResetMode>("default");
  const preview = useQuery({
    queryKey: queryKeys.familyResetPreview(accountId, parentMode),
    queryFn: ({ signal }) => consoleApi.familyResetPreview(accountId, parentMode, signal),
    staleTime: Infinity,
  });
  const [unpicked, setUnpicked] = useState<ReadonlySet<number>>(new Set());
  const [formError, setFormError] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [acknowledged, setAcknowledged] = useState(false);
  const router = useRouter();
  const navigate = onNavigate ?? ((href: string) => router.push(href));
  const [serverRules, setServerRules] = useState<FiredRule[] | null>(null);

  const data = preview.data;
  const picked = data?.subusers.filter((s) => !unpicked.has(s.id)) ?? [];
  const parentLosses = data?.parent.needsReset ? data.parent.plan.keyImpact.losses : [];
  const losses = [...parentLosses, ...picked.flatMap((s) => s.keyImpact.losses)];
  // The same rules as the server's, for the accounts picked now (the server applies them again on confirmation).
  const resetting = new Set([...(data?.parent.needsReset ? [accountId] : []), ...picked.map((s) => s.id)]);
  const rules =
    serverRules ??
    (data
      ? approvalRules(
          {
            keyLosses: losses,
            familyAccounts: resetting.size,
            anomalies: data.approval.anomalies.filter((a) => resetting.has(a.id)),
            lastResets: data.approval.lastResets.filter((r) => resetting.has(r.id)).map((r) => ({ ...r, at: new Date(r.at) })),
          },
          data.approval.policy,
          new Date(),
        )
      : []);
  const needsApproval = rules.length > 0;

  const mutation = useMutation({
    mutationFn: (ticketRef: string) =>
      consoleApi.familyReset(accountId, {
        ticket: ticketRef,
        idempotencyKey,
        ...(reason.trim() ? { reason } : {}),
        parent: data!.parent.needsReset
          ? {
              expectedFingerprint: data!.parent.expectedFingerprint,
              mode: parentMode,
              ...(data!.parent.plan.keyImpact.fingerprint ? { acknowledgedKeyImpact: data!.parent.plan.keyImpact.fingerprint } : {}),
            }
          : null,
        subusers: picked.map(subuserConfirmation),
      }),
    onSuccess: (result) => navigate(`/family-resets/${result.familyResetId}`),
    onError: (failure) => {
      const required = asApiError<FamilyResetErrors>(failure)?.detailsFor("approval_required");
      if (required) setServerRules(required.rules);
    },
  });

  const approvalMutation = useMutation({
    mutationFn: (ticketRef: string) =>
      consoleApi.requestApproval(accountId, {
        kind: "family",
        ticket: ticketRef,
        idempotencyKey,
        reason,
        parent: data!.parent.needsReset
          ? {
              expectedFingerprint: data!.parent.expectedFingerprint,
              mode: parentMode,
              ...(data!.parent.plan.keyImpact.fingerprint ? { acknowledgedKeyImpact: data!.parent.plan.keyImpact.fingerprint } : {}),
            }
          : null,
        subusers: picked.map(subuserConfirmation),
      }),
    onSuccess: (result) => navigate(`/approvals/${result.approval.id}`),
  });

  function confirm(event: React.FormEvent) {
    event.preventDefault();
    const ticketRef = resolveTicket();
    if (!ticketRef.ok) return setFormError(ticketRef.error);
    if (picked.length === 0) return setFormError("Pick at least one subuser.");
    if (losses.length > 0 && !acknowledged) return setFormError("Confirm that you have read which existing keys lose which scopes.");
    if (needsApproval && reason.trim() === "") return setFormError("This family reset needs approval: write why it should go ahead.");
    setFormError(null);
    if (needsApproval) {
      mutation.reset();
      return approvalMutation.mutate(ticketRef.ticketId);
    }
    mutation.mutate(ticketRef.ticketId);
  }

  const resetError = asApiError<FamilyResetErrors>(mutation.error);
  const error = resetError?.code === "approval_required" ? null : resetError;
  const approvalError = asApiError<RequestApprovalErrors>(approvalMutation.error);
  const busy = mutation.isPending || mutation.isSuccess || approvalMutation.isPending || approvalMutation.isSuccess;

  return (
    <Dialog.Root open onOpenChange={(open) => !open && !busy && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <Dialog.Content
          onCloseAutoFocus={(event) => {
            if (returnFocusTo?.current) {
              event.preventDefault();
              returnFocusTo.current.focus();
            }
          }}
          className="fixed left-1/2 top-1/2 z-50 max-h-[90vh] w-[min(56rem,calc(100vw-1rem))] -translate-x-1/2 -translate-y-1/2 overflow-auto rounded-lg bg-white p-4 shadow-xl focus:outline-none sm:p-5"
        >
          <Dialog.Title className="text-xl font-semibold">Reset {accountLabel} and its subusers?</Dialog.Title>
          <Dialog.Description className="mt-1 text-sm text-slate-700">
            The parent first, then each subuser you pick, each in its own transaction with its own notes and records, all under the same
            ticket. If one fails, the others are still done; the summary says what happened to each.
          </Dialog.Description>
          {preview.isPending && <p className="mt-4 text-sm">Loading the plans…</p>}
          {preview.isError && (
            <p role="alert" className="mt-4 text-sm text-red-800">
              {preview.error.message}
            </p>
          )}
          {data && (
            <form onSubmit={confirm} className="mt-4 space-y-4 text-sm">
              <div className="rounded border border-slate-200 p-3">
                {ticket ? (
                  <p>
                    Ticket: <strong data-testid="dialog-ticket">#{ticket.ticketId}</strong>{" "}
                    <span className="break-all text-slate-600">({ticket.url})</span>
                  </p>
                ) : (
                  <label className="block font-medium">
                    Ticket (required)
                    <input
                      value={ticketText}
                      onChange={(e) => setTicketText(e.target.value)}
                      maxLength={500}
                      placeholder={`Ticket URL on ${helpdesk.baseUrl}, #123 or 123`}
                      className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 font-normal"
                    />
                  </label>
                )}
              </div>

              <section className="rounded border border-slate-200 p-3" aria-labelledby="family-parent">
                <h3 id="family-parent" className="font-semibold">
                  Parent {accountLabel}
                </h3>
                {data.parent.needsReset ? (
                  <>
                    <div className="mt-1 flex gap-4">
                      {(["default", "minimal"] as const).map((m) => (
                        <label key={m} className="flex items-center gap-1">
                          <input
                            type="radio"
                            name="parent-mode"
                            checked={parentMode === m}
                            onChange={() => {
                              setParentMode(m);
                              setAcknowledged(false);
                              setServerRules(null);
                            }}
                          />
                          {m === "default" ? "Default scope set" : "Minimal (add the erase-job scopes, remove nothing)"}
                        </label>
                      ))}
                    </div>
                    <ScopeDiff added={data.parent.plan.added} removed={data.parent.plan.removed} compact />
                    {parentLosses.length > 0 && <KeyLossList losses={parentLosses} accountId={accountId} usage={keyUsage} />}
                  </>
                ) : (
                  <p>Already has both erase-job scopes: it is not reset.</p>
                )}
              </section>

              <SubuserGroups
                data={data}
                unpicked={unpicked}
                keyUsage={keyUsage}
                onChange={(next) => {
                  setUnpicked(next);
                  setAcknowledged(false);
                  setServerRules(null);
                }}
              />

              {losses.length > 0 && (
                <label className="flex items-start gap-2 rounded border border-red-300 bg-red-50 p-2 font-medium">
                  <input type="checkbox" checked={acknowledged} onChange={(e) => setAcknowledged(e.target.checked)} className="mt-1" />
                  <span>
                    I have read which {losses.length} existing key(s) lose which scopes; the notes and the customer replies will say so.
                  </span>
                </label>
              )}

              {needsApproval && <ApprovalNeeded rules={rules} />}

              <label className="block font-medium">
                Reason {needsApproval ? "(required: the approver reads it)" : "(optional)"}
                <textarea
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  maxLength={RESET_REASON_MAX_LENGTH}
                  rows={2}
                  className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 font-normal"
                />
              </label>

              {formError && (
                <p role="alert" className="text-red-800">
                  {formError}
                </p>
              )}
              {error && <ErrorNotice error={error} />}
              {approvalError && (
                <ApprovalRequestError error={approvalError} accountId={accountId} onReviewAgain={() => void preview.refetch()} />
              )}

              <div className="flex flex-wrap justify-end gap-2">
                <Dialog.Close asChild>
                  <button type="button" disabled={busy} className="rounded border border-slate-300 px-3 py-2">
                    Cancel
                  </button>
                </Dialog.Close>
                <button
                  type="submit"
                  disabled={busy}
                  className="rounded bg-blue-700 px-3 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60"
                >
                  {needsApproval
                    ? busy
                      ? "Requesting…"
                      : "Request approval"
                    : busy
                      ? "Resetting…"
                      : `Reset ${data.parent.needsReset ? "the parent and " : ""}${picked.length} subuser${picked.length === 1 ? "" : "s"}`}
                </button>
              </div>
            </form>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

type Preview = FamilyResetPreviewOutput;
type Subuser = Preview["subusers"][number];

function subuserConfirmation(s: Subuser) {
  return {
    id: s.id,
    expectedFingerprint: s.expectedFingerprint,
    mode: "default" as const,
    ...(s.keyImpact.fingerprint ? { acknowledgedKeyImpact: s.keyImpact.fingerprint } : {}),
  };
}

/** A group of this many subusers or fewer opens listed; a larger one shows its summary and lists its subusers on demand. */
const LISTED_OPEN_MAX = 20;

/**
 * The subusers grouped by the plan they share (decision 046): one line per
 * group with a checkbox that picks or leaves out all of it, its subusers
 * listed (each with its own checkbox and key losses) when the group is small
 * or the agent opens it. 500 subusers are two or three lines, not 500 rows.
 */
function SubuserGroups({
  data,
  unpicked,
  onChange,
  keyUsage,
}: {
  data: Preview;
  unpicked: ReadonlySet<number>;
  onChange(next: ReadonlySet<number>): void;
  keyUsage?: { lastUsed: Readonly<Record<string, string | null>>; now: string };
}) {
  const groups = data.subuserPlans.map((plan, index) => ({ plan, index, members: data.subusers.filter((s) => s.plan === index) }));
  const [opened, setOpened] = useState<ReadonlySet<number>>(
    () => new Set(groups.filter((g) => g.members.length <= LISTED_OPEN_MAX).map((g) => g.index)),
  );
  const set = (ids: readonly number[], pick: boolean) => {
    const next = new Set(unpicked);
    for (const id of ids) {
      if (pick) next.delete(id);
      else next.add(id);
    }
    onChange(next);
  };
  const pickedCount = data.subusers.filter((s) => !unpicked.has(s.id)).length;
  return (
    <fieldset className="rounded border border-slate-200 p-3" data-testid="family-subusers">
      <legend className="px-1 font-semibold">
        Subusers lacking the erase-job scopes ({data.subusers.length}
        {pickedCount !== data.subusers.length ? `, ${pickedCount} picked` : ""})
      </legend>
      <ul className="space-y-3">
        {groups.map(({ plan, index, members }) => {
          const picked = members.filter((s) => !unpicked.has(s.id)).length;
          const withLosses = members.filter((s) => s.keyImpact.losses.length > 0).length;
          const open = opened.has(index);
          return (
            <li key={index} className="rounded border border-slate-100 p-2" data-testid="subuser-group">
              <label className="flex items-start gap-2">
                <input
                  type="checkbox"
                  checked={picked === members.length}
                  ref={(el) => {
                    if (el) el.indeterminate = picked > 0 && picked < members.length;
                  }}
                  onChange={(e) =>
                    set(
                      members.map((s) => s.id),
                      e.target.checked,
                    )
                  }
                  className="mt-1"
                  aria-label={`All ${members.length} subusers of this group`}
                />
                <span>
                  <strong>
                    {members.length} subuser{members.length === 1 ? "" : "s"}
                  </strong>
                  {picked !== members.length ? ` (${picked} picked)` : ""}: adds {plan.added.length}, removes {plan.removed.length}
                  {plan.eraseJobAfter.both ? "" : ` (still missing ${plan.eraseJobAfter.missing.join(", ")})`}
                  {withLosses > 0 ? `; ${withLosses} of them have keys that lose scopes` : ""}
                </span>
              </label>
              <button
                type="button"
                className="ml-6 mt-1 text-blue-800 underline"
                aria-expanded={open}
                onClick={() => {
                  const next = new Set(opened);
                  if (open) next.delete(index);
                  else next.add(index);
                  setOpened(next);
                }}
              >
                {open ? "Hide the subusers" : `List the ${members.length} subusers`}
              </button>
              {open && (
                <ul className="ml-6 mt-1 max-h-72 space-y-1 overflow-auto">
                  {members.map((s) => (
                    <li key={s.id}>
                      <label className="flex items-start gap-2">
                        <input
                          type="checkbox"
                          checked={!unpicked.has(s.id)}
                          onChange={(e) => set([s.id], e.target.checked)}
                          className="mt-1"
                        />
                        <span>
                          <strong>{s.username}</strong> #{s.id}
                        </span>
                      </label>
                      {s.keyImpact.losses.length > 0 && <KeyLossList losses={s.keyImpact.losses} accountId={s.id} usage={keyUsage} />}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
