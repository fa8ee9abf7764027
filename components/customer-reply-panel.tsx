"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { asApiError } from "@/lib/client/api-fetch";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import { CUSTOMER_REPLY_MAX_LENGTH } from "@/lib/helpdesk/helpdesk-comments";
import type { SendCustomerReplyErrors } from "@/lib/http/console/scope-resets";
import type { ReplyView } from "@/lib/scope-resets/get-reply-view";
import { CopyButton } from "./copy-button";
import { HelpdeskDeliveries } from "./helpdesk-deliveries";

/** Which reply this is: one reset's, a family reset's, or an account's with nothing to reset (for one ticket). */
export type ReplyTarget =
  { kind: "reset"; resetId: string } | { kind: "family"; familyResetId: string } | { kind: "account"; accountId: number; ticketId: string };

type TicketStatusChoice = "" | "pending" | "solved";

/**
 * The reply to the customer: drafted from the account as it is now (the
 * server drafts it when the page or the API is read), edited here, copied
 * (what is in the editor) or sent as a public comment on the ticket with the
 * ticket status the agent picks, after a second, explicit confirmation. The
 * server checks the facts again when it is sent and answers with a new draft
 * if they changed (decision 026). Once sent, the panel shows the text that
 * reached the ticket. Reusable for a reset, a family reset and an account.
 */
export function CustomerReplyPanel({
  reply,
  target,
  ticketLabel,
  connected,
  canSend,
  cannotSend,
}: {
  reply: ReplyView;
  target: ReplyTarget;
  ticketLabel: string;
  /** The helpdesk is connected: otherwise the reply is copied by hand. */
  connected: boolean;
  /** The viewer's role may send replies. */
  canSend: boolean;
  /** Why it cannot be sent from here when the server gives no reason of its own (reply.cannotSend wins): e.g. no ticket in context. */
  cannotSend?: string;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const onSent = () => {
    if (target.kind === "account")
      void queryClient.invalidateQueries({ queryKey: queryKeys.accountReply(target.accountId, target.ticketId) });
    else router.refresh();
  };
  const sent = reply.sent;
  const live = sent !== null && sent.status !== "dead";
  return (
    <div className="space-y-3" data-testid="reply-panel">
      {sent && <SentReply delivery={sent} canRetry={canSend} />}
      {reply.otherReply && <OtherReply other={reply.otherReply} />}
      {!live &&
        (reply.draft ? (
          <ReplyEditor
            key={reply.draft.factsFingerprint}
            draft={reply.draft}
            target={target}
            ticketLabel={ticketLabel}
            connected={connected}
            canSend={canSend}
            resend={sent !== null}
            onSent={onSent}
            cannotSend={reply.cannotSend ?? cannotSend}
          />
        ) : (
          <p role="note" className="rounded border border-amber-400 bg-amber-50 p-3 text-sm" data-testid="reply-blocked">
            No reply can be written now: {reply.blocked}
          </p>
        ))}
    </div>
  );
}

/** Another reply about the same account already on the ticket (decision 045): what it said and where it is; no second one is offered. */
function OtherReply({ other }: { other: NonNullable<ReplyView["otherReply"]> }) {
  const { details } = other;
  const what =
    details.about === "family"
      ? "The family reset's reply"
      : details.about === "reset"
        ? "The reply of a scope reset"
        : 'The "create a new key" reply (no reset)';
  const state = details.status === "delivered" ? "was sent" : details.status === "dead" ? "did not go through" : "is on its way";
  return (
    <div className="space-y-2 text-sm" data-testid="other-reply">
      <h3 className="font-semibold">
        {what} {state} on this ticket
      </h3>
      <pre className="whitespace-pre-wrap break-words rounded bg-white p-3 font-mono text-xs">{details.text}</pre>
      <p className="text-slate-700">
        <Link href={details.path} className="text-blue-800 underline">
          Open its page
        </Link>
      </p>
    </div>
  );
}

function SentReply({ delivery, canRetry }: { delivery: NonNullable<ReplyView["sent"]>; canRetry: boolean }) {
  const r = delivery.reply!;
  const delivered = delivery.status === "delivered";
  return (
    <div className="space-y-2 text-sm" data-testid="sent-reply-block">
      <h3 className="font-semibold">
        {delivered ? "Sent to the customer" : delivery.status === "dead" ? "Not delivered" : "On its way to the customer"}
      </h3>
      {r.landedEarlierText && (
        <p role="note" className="rounded border border-amber-400 bg-amber-50 p-2" data-testid="landed-earlier-text">
          The text of an earlier send had reached the ticket after all, so that text is what the customer got; the newer text was not
          posted.
        </p>
      )}
      <pre data-testid="sent-reply" className="whitespace-pre-wrap break-words rounded bg-white p-3 font-mono text-xs">
        {r.sentText ?? r.text}
      </pre>
      <p className="text-slate-700">
        {r.ticketStatus ? `The ticket is set to ${r.ticketStatus} with it. ` : "The ticket's status is left as it is. "}
        Posted as{" "}
        {r.author === "agent"
          ? "the sending agent's Zendesk user (or the integration user, if the agent has none)"
          : "the integration user"}
        ; sent by {delivery.requestedByName}.
      </p>
      <HelpdeskDeliveries deliveries={[delivery]} canRetry={canRetry} />
    </div>
  );
}

function ReplyEditor({
  draft,
  target,
  ticketLabel,
  connected,
  canSend,
  resend,
  onSent,
  cannotSend,
}: {
  draft: NonNullable<ReplyView["draft"]>;
  target: ReplyTarget;
  ticketLabel: string;
  connected: boolean;
  canSend: boolean;
  resend: boolean;
  onSent(): void;
  cannotSend?: string;
}) {
  const textId = useId();
  const confirmId = useId();
  const [text, setText] = useState(draft.text);
  const [factsFingerprint, setFactsFingerprint] = useState(draft.factsFingerprint);
  const [ticketStatus, setTicketStatus] = useState<TicketStatusChoice>("");
  const [confirming, setConfirming] = useState(false);
  const [fresh, setFresh] = useState<{ text: string | null; blocked: string | null; factsFingerprint: string } | null>(null);
  const send = useMutation({
    mutationFn: () => {
      const input = { text, factsFingerprint, ticketStatus: ticketStatus === "" ? null : ticketStatus };
      if (target.kind === "reset") return consoleApi.sendCustomerReply(target.resetId, input);
      if (target.kind === "family") return consoleApi.sendFamilyReply(target.familyResetId, input);
      return consoleApi.sendAccountReply(target.accountId, { ...input, ticket: target.ticketId });
    },
    onSuccess: onSent,
    onError: (error) => {
      const stale = asApiError<SendCustomerReplyErrors>(error)?.detailsFor("reply_stale");
      if (stale) setFresh(stale.draft);
      setConfirming(false);
    },
  });
  const error = asApiError<SendCustomerReplyErrors>(send.error);

  return (
    <div className="space-y-2 text-sm" data-testid="reply-sender">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <label htmlFor={textId} className="font-medium">
          Reply as it will reach the customer (edit it if needed)
        </label>
        <CopyButton text={text} label="Copy reply" />
      </div>
      <textarea
        id={textId}
        data-testid="customer-reply"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setConfirming(false);
        }}
        rows={16}
        maxLength={CUSTOMER_REPLY_MAX_LENGTH}
        className="w-full rounded border border-slate-300 bg-white p-2 font-mono text-xs"
      />
      {fresh && (
        <div role="alert" className="rounded border border-amber-400 bg-amber-50 p-3" data-testid="reply-stale">
          <p className="font-semibold">The account changed since this draft (keys, subusers or scopes): the reply may no longer be true.</p>
          {fresh.text === null ? (
            <p>No reply can be written now: {fresh.blocked}</p>
          ) : (
            <>
              <pre
                className="mt-2 max-h-64 overflow-auto whitespace-pre-wrap break-words rounded bg-white p-2 font-mono text-xs"
                data-testid="fresh-draft"
              >
                {fresh.text}
              </pre>
              <div className="mt-2 flex flex-wrap gap-2">
                <button
                  type="button"
                  className="rounded bg-blue-700 px-3 py-1 font-medium text-white"
                  onClick={() => {
                    setText(fresh.text!);
                    setFactsFingerprint(fresh.factsFingerprint);
                    setFresh(null);
                    send.reset();
                  }}
                >
                  Use the new draft
                </button>
                <button
                  type="button"
                  className="rounded border border-slate-400 px-3 py-1"
                  onClick={() => {
                    setFactsFingerprint(fresh.factsFingerprint);
                    setFresh(null);
                    send.reset();
                  }}
                >
                  Keep my text: I checked it is still true
                </button>
              </div>
            </>
          )}
        </div>
      )}
      {connected && canSend && !cannotSend ? (
        <>
          <label className="flex items-center gap-2">
            <span>Ticket status with the reply</span>
            <select
              value={ticketStatus}
              onChange={(e) => {
                setTicketStatus(e.target.value as TicketStatusChoice);
                setConfirming(false);
              }}
              className="rounded border border-slate-300 bg-white px-2 py-1"
              data-testid="reply-ticket-status"
            >
              <option value="">Leave as it is</option>
              <option value="pending">Pending (waiting for the customer)</option>
              <option value="solved">Solved</option>
            </select>
          </label>
          {resend && (
            <p className="text-slate-700">
              Sending again searches the ticket first: if the earlier text arrived after all, it is recorded as sent instead of this one.
            </p>
          )}
          {!confirming ? (
            <button
              type="button"
              onClick={() => setConfirming(true)}
              disabled={text.trim() === "" || fresh !== null}
              className="rounded bg-blue-700 px-3 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60"
            >
              Send to the customer…
            </button>
          ) : (
            <div role="alertdialog" aria-labelledby={confirmId} className="rounded border border-amber-400 bg-amber-50 p-3">
              <p id={confirmId} className="font-semibold">
                Send this reply to the customer as a public comment on {ticketLabel}
                {ticketStatus ? `, and set the ticket to ${ticketStatus}` : ""}? They will see it.
              </p>
              <div className="mt-2 flex gap-2">
                <button
                  type="button"
                  onClick={() => send.mutate()}
                  disabled={send.isPending}
                  className="rounded bg-blue-700 px-3 py-1 font-medium text-white disabled:opacity-60"
                >
                  {send.isPending ? "Sending…" : "Yes, send it"}
                </button>
                <button
                  type="button"
                  onClick={() => setConfirming(false)}
                  disabled={send.isPending}
                  className="rounded border border-slate-400 px-3 py-1"
                >
                  Not yet
                </button>
              </div>
            </div>
          )}
        </>
      ) : (
        <p className="text-slate-700" data-testid="reply-cannot-send">
          {!canSend
            ? "Your role cannot send replies: copy it into the ticket."
            : (cannotSend ??
              (connected
                ? "The reply cannot be sent from here: copy it into the ticket."
                : "The helpdesk is not connected: copy the reply into the ticket."))}
        </p>
      )}
      {error && !fresh && (
        <p role="alert" className="text-red-800">
          {error.message}
        </p>
      )}
    </div>
  );
}
