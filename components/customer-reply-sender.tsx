"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { asApiError } from "@/lib/client/api-fetch";
import { consoleApi } from "@/lib/client/console-api";
import { CUSTOMER_REPLY_MAX_LENGTH } from "@/lib/helpdesk/helpdesk-comments";

/**
 * The agent edits the reply and sends it to the customer as a public comment
 * on the ticket, after a second, explicit confirmation. Never sent on its own.
 */
export function CustomerReplySender({ resetId, reply, ticketLabel }: { resetId: string; reply: string; ticketLabel: string }) {
  const router = useRouter();
  const [text, setText] = useState(reply);
  const [confirming, setConfirming] = useState(false);
  const send = useMutation({
    mutationFn: () => consoleApi.sendCustomerReply(resetId, { text }),
    onSuccess: () => router.refresh(),
  });
  return (
    <div className="mt-3 space-y-2 text-sm" data-testid="reply-sender">
      <label htmlFor="reply-text" className="block font-medium">
        Reply as it will reach the customer (edit it if needed)
      </label>
      <textarea
        id="reply-text"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setConfirming(false);
        }}
        rows={12}
        maxLength={CUSTOMER_REPLY_MAX_LENGTH}
        className="w-full rounded border border-slate-300 bg-white p-2 font-mono text-xs"
      />
      {!confirming ? (
        <button
          type="button"
          onClick={() => setConfirming(true)}
          disabled={text.trim() === ""}
          className="rounded bg-blue-700 px-3 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60"
        >
          Send to the customer…
        </button>
      ) : (
        <div role="alertdialog" aria-labelledby="reply-confirm" className="rounded border border-amber-400 bg-amber-50 p-3">
          <p id="reply-confirm" className="font-semibold">
            Send this reply to the customer as a public comment on {ticketLabel}? They will see it.
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
      {send.error && (
        <p role="alert" className="text-red-800">
          {asApiError(send.error)?.message}
        </p>
      )}
    </div>
  );
}
