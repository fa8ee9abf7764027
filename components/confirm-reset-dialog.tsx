"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { Dialog } from "radix-ui";
import { useState } from "react";
import { ApiError, apiFetch } from "@/lib/client/api-fetch";
import { RESET_REASON_MAX_LENGTH } from "@/lib/scope-resets/request";
import { parseTicketRef } from "@/lib/tickets";
import { formatUtcShort } from "./local-time";
import type { Preview } from "./reset-scopes";
import { useTicket } from "./ticket-context";

interface ResetResponse {
  replayed: boolean;
  reset: { id: string };
}

/** Loaded only when the agent opens it (see reset-scopes.tsx), so the account page stays light. */
export default function ConfirmResetDialog({ preview, onClose, accountLabel }: { preview: Preview; onClose(): void; accountLabel: string }) {
  const { detail, idempotencyKey } = preview;
  const { resetPlan: plan, account } = detail;
  const { ticket, helpdeskBaseUrl, setTicket } = useTicket();
  const [ticketText, setTicketText] = useState("");
  const [ticketError, setTicketError] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState<string | null>(null);
  const router = useRouter();
  const queryClient = useQueryClient();

  const mutation = useMutation({
    mutationFn: (body: { ticket: string; reason?: string }) =>
      apiFetch<ResetResponse>(`/api/accounts/${account.id}/scope-resets`, {
        method: "POST",
        body: JSON.stringify({ ...body, idempotencyKey, expectedFingerprint: detail.scopes.fingerprint }),
      }),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: ["account", account.id] });
      router.push(`/scope-resets/${result.reset.id}`);
    },
  });

  function confirm(event: React.FormEvent) {
    event.preventDefault();
    let ticketRef = ticket?.ticketId ?? null;
    if (!ticket) {
      const parsed = parseTicketRef(ticketText, helpdeskBaseUrl);
      if (!parsed.ok) return setTicketError(parsed.error);
      setTicketError(null);
      setTicket({ ticketId: parsed.ticketId, url: parsed.url });
      ticketRef = parsed.ticketId;
    }
    if (plan.nothingToDo && reason.trim() === "") {
      return setReasonError("Both erase-job scopes are already present: write why you reset anyway.");
    }
    setReasonError(null);
    mutation.mutate({ ticket: ticketRef!, ...(reason.trim() ? { reason } : {}) });
  }

  async function reviewAgain() {
    await queryClient.invalidateQueries({ queryKey: ["account", account.id] });
    router.refresh();
    onClose();
  }

  const error = mutation.error instanceof ApiError ? mutation.error : mutation.error ? new ApiError(0, "network", mutation.error.message, null) : null;
  const busy = mutation.isPending || mutation.isSuccess;

  return (
    <Dialog.Root open onOpenChange={(open) => !open && !busy && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <Dialog.Content className="fixed left-1/2 top-1/2 z-50 max-h-[90vh] w-[min(48rem,95vw)] -translate-x-1/2 -translate-y-1/2 overflow-auto rounded-lg bg-white p-5 shadow-xl focus:outline-none">
          <Dialog.Title className="text-xl font-semibold">Reset scopes of {accountLabel}?</Dialog.Title>
          <Dialog.Description className="mt-1 text-sm text-slate-700">
            The account gets the default scope set. Both ticket notes, the admin note and the reset record are written in the same
            transaction: all of it happens, or none of it.
          </Dialog.Description>

          <form onSubmit={confirm} className="mt-4 space-y-4">
            <div className="rounded border border-slate-200 p-3 text-sm">
              {ticket ? (
                <p>
                  Ticket:{" "}
                  <a href={ticket.url} target="_blank" rel="noreferrer" className="font-semibold text-blue-800 underline" data-testid="dialog-ticket">
                    #{ticket.ticketId}
                  </a>{" "}
                  <span className="text-slate-600">({ticket.url})</span>
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
                    placeholder="Zendesk ticket URL, #123 or 123"
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

            {plan.nothingToDo && (
              <p className="rounded border border-amber-300 bg-amber-50 p-3 text-sm" role="note">
                Both erase-job scopes are already present, so there is nothing to do. Reset only with a reason.
              </p>
            )}

            <div className="grid gap-3 sm:grid-cols-2">
              <ScopeList title={`Removed (${plan.removed.length})`} scopes={plan.removed} tone="removed" />
              <ScopeList title={`Added (${plan.added.length})`} scopes={plan.added} tone="added" />
            </div>
            <ul className="space-y-1 text-sm text-slate-800">
              <li>
                Kept unchanged: {plan.keptCount} scope{plan.keptCount === 1 ? "" : "s"}; after the reset: {plan.afterCount}.
              </li>
              <li>
                Platform-managed scopes kept as they are:{" "}
                {plan.preservedPlatformManaged.length === 0 ? "none" : <code>{plan.preservedPlatformManaged.join(", ")}</code>}
              </li>
              <li data-testid="erase-job-after">
                Erase-job scopes after the reset:{" "}
                <strong className={plan.eraseJobAfter.both ? "text-emerald-800" : "text-red-800"}>
                  {plan.eraseJobAfter.both ? "both present" : `missing ${plan.eraseJobAfter.missing.join(", ")}`}
                </strong>
              </li>
            </ul>

            <div className="space-y-1 text-sm">
              <label htmlFor="reset-reason" className="block font-medium">
                Reason {plan.nothingToDo ? "(required)" : "(optional)"}
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
                {reason.length}/{RESET_REASON_MAX_LENGTH} characters. Written into the admin note.
              </p>
              {reasonError && (
                <p role="alert" className="text-red-800">
                  {reasonError}
                </p>
              )}
            </div>

            {error && <ResetError error={error} onReviewAgain={reviewAgain} />}

            <div className="flex justify-end gap-2">
              <Dialog.Close asChild>
                <button type="button" disabled={busy} className="rounded border border-slate-300 px-3 py-2 text-sm">
                  Cancel
                </button>
              </Dialog.Close>
              <button
                type="submit"
                disabled={busy || error?.code === "stale_preview" || error?.code === "already_reset"}
                className="rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60"
              >
                {busy ? "Resetting…" : "Reset scopes"}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function ScopeList({ title, scopes, tone }: { title: string; scopes: string[]; tone: "added" | "removed" }) {
  const style = tone === "removed" ? "border-red-300 bg-red-50" : "border-emerald-300 bg-emerald-50";
  return (
    <div className={`rounded border p-3 ${style}`} data-testid={`plan-${tone}`}>
      <h3 className="text-sm font-semibold">{title}</h3>
      {scopes.length === 0 ? (
        <p className="text-sm text-slate-700">none</p>
      ) : (
        <ul tabIndex={0} aria-label={title} className="mt-1 max-h-48 overflow-auto font-mono text-xs">
          {scopes.map((s) => (
            <li key={s}>
              {tone === "removed" ? "− " : "+ "}
              {s}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ResetError({ error, onReviewAgain }: { error: ApiError; onReviewAgain(): void }) {
  if (error.code === "stale_preview") {
    return (
      <div role="alert" className="rounded border border-amber-400 bg-amber-50 p-3 text-sm">
        <p className="font-semibold">Review again</p>
        <p>{error.message}</p>
        <button type="button" onClick={onReviewAgain} className="mt-2 rounded bg-slate-800 px-3 py-1 text-white">
          Reload the account
        </button>
      </div>
    );
  }
  if (error.code === "already_reset") {
    const details = error.details as { resetId?: string; actorName?: string; at?: string } | undefined;
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
  return (
    <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900">
      <p>{error.message}</p>
      {error.requestId && <p className="text-xs">Request id: {error.requestId}</p>}
    </div>
  );
}
