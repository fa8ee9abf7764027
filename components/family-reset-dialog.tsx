"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { Dialog } from "radix-ui";
import { useState } from "react";
import { asApiError } from "@/lib/client/api-fetch";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import type { FamilyResetErrors } from "@/lib/http/console/scope-resets";
import type { ResetMode } from "@/lib/scope-resets/plan";
import { RESET_REASON_MAX_LENGTH } from "@/lib/scope-resets/request";
import { ErrorNotice } from "./confirm-reset-dialog";
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
  onDone,
}: {
  accountId: number;
  accountLabel: string;
  idempotencyKey: string;
  onClose(): void;
  /** Instead of opening the family reset's page (the Zendesk sidebar shows it in place). */
  onDone?(familyResetId: string): void;
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

  const data = preview.data;
  const picked = data?.subusers.filter((s) => !unpicked.has(s.id)) ?? [];
  const parentLosses = data?.parent.needsReset ? data.parent.plan.keyImpact.losses : [];
  const losses = [...parentLosses, ...picked.flatMap((s) => s.plan.keyImpact.losses)];

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
        subusers: picked.map((s) => ({
          id: s.id,
          expectedFingerprint: s.expectedFingerprint,
          mode: "default",
          ...(s.plan.keyImpact.fingerprint ? { acknowledgedKeyImpact: s.plan.keyImpact.fingerprint } : {}),
        })),
      }),
    onSuccess: (result) => (onDone ? onDone(result.familyResetId) : router.push(`/family-resets/${result.familyResetId}`)),
  });

  function confirm(event: React.FormEvent) {
    event.preventDefault();
    const ticketRef = resolveTicket();
    if (!ticketRef.ok) return setFormError(ticketRef.error);
    if (picked.length === 0) return setFormError("Pick at least one subuser.");
    if (losses.length > 0 && !acknowledged) return setFormError("Confirm that you have read which existing keys lose which scopes.");
    setFormError(null);
    mutation.mutate(ticketRef.ticketId);
  }

  const error = asApiError<FamilyResetErrors>(mutation.error);
  const busy = mutation.isPending || mutation.isSuccess;

  return (
    <Dialog.Root open onOpenChange={(open) => !open && !busy && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <Dialog.Content className="fixed left-1/2 top-1/2 z-50 max-h-[90vh] w-[min(56rem,95vw)] -translate-x-1/2 -translate-y-1/2 overflow-auto rounded-lg bg-white p-5 shadow-xl focus:outline-none">
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
                    <span className="text-slate-600">({ticket.url})</span>
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
                            }}
                          />
                          {m === "default" ? "Default scope set" : "Minimal (add the erase-job scopes, remove nothing)"}
                        </label>
                      ))}
                    </div>
                    <ScopeDiff added={data.parent.plan.added} removed={data.parent.plan.removed} compact />
                    {parentLosses.length > 0 && <KeyLossList losses={parentLosses} accountId={accountId} />}
                  </>
                ) : (
                  <p>Already has both erase-job scopes: it is not reset.</p>
                )}
              </section>

              <fieldset className="rounded border border-slate-200 p-3">
                <legend className="px-1 font-semibold">Subusers lacking the erase-job scopes ({data.subusers.length})</legend>
                <ul className="space-y-2">
                  {data.subusers.map((s) => (
                    <li key={s.id}>
                      <label className="flex items-start gap-2">
                        <input
                          type="checkbox"
                          checked={!unpicked.has(s.id)}
                          onChange={(e) => {
                            const next = new Set(unpicked);
                            if (e.target.checked) next.delete(s.id);
                            else next.add(s.id);
                            setUnpicked(next);
                            setAcknowledged(false);
                          }}
                          className="mt-1"
                        />
                        <span>
                          <strong>{s.username}</strong> #{s.id}: adds {s.plan.added.length}, removes {s.plan.removed.length}
                          {s.plan.eraseJobAfter.both ? "" : ` (still missing ${s.plan.eraseJobAfter.missing.join(", ")})`}
                        </span>
                      </label>
                      {s.plan.keyImpact.losses.length > 0 && <KeyLossList losses={s.plan.keyImpact.losses} accountId={s.id} />}
                    </li>
                  ))}
                </ul>
              </fieldset>

              {losses.length > 0 && (
                <label className="flex items-start gap-2 rounded border border-red-300 bg-red-50 p-2 font-medium">
                  <input type="checkbox" checked={acknowledged} onChange={(e) => setAcknowledged(e.target.checked)} className="mt-1" />
                  <span>
                    I have read which {losses.length} existing key(s) lose which scopes; the notes and the customer replies will say so.
                  </span>
                </label>
              )}

              <label className="block font-medium">
                Reason (optional)
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

              <div className="flex justify-end gap-2">
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
                  {busy
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
