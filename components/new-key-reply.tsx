"use client";

import { useQuery } from "@tanstack/react-query";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import { CustomerReplyPanel } from "./customer-reply-panel";
import { useTicket } from "./ticket-context";

/**
 * Nothing to reset: the account already has both erase-job scopes, but the
 * customer's key lacks them. The reply that tells them to create a new key,
 * without a reset, drafted from the account as it is now, for the ticket in
 * context, and sent through the same delivery as every reply (recorded,
 * audited, linked to the ticket).
 */
export function NewKeyReply({ accountId, canSend }: { accountId: number; canSend: boolean }) {
  const { ticket, helpdesk } = useTicket();
  const ticketId = ticket?.ticketId ?? null;
  const reply = useQuery({
    queryKey: queryKeys.accountReply(accountId, ticketId),
    queryFn: ({ signal }) => consoleApi.accountReply(accountId, ticketId, signal),
  });
  return (
    <section
      aria-labelledby="new-key-reply"
      className="mt-3 space-y-2 rounded border border-blue-200 bg-blue-50 p-3"
      data-testid="new-key-reply"
    >
      <h3 id="new-key-reply" className="font-semibold">
        Nothing to reset: reply that the customer needs a new key
      </h3>
      {reply.isPending && <p className="text-sm">Drafting the reply…</p>}
      {reply.isError && (
        <p role="alert" className="text-sm text-red-800">
          {reply.error.message}
        </p>
      )}
      {reply.data &&
        (ticketId ? (
          <CustomerReplyPanel
            reply={reply.data}
            target={{ kind: "account", accountId, ticketId }}
            ticketLabel={`ticket #${ticketId}`}
            connected={helpdesk.connected}
            canSend={canSend}
          />
        ) : (
          <CustomerReplyPanel
            reply={reply.data}
            target={{ kind: "account", accountId, ticketId: "" }}
            ticketLabel="the ticket"
            connected={helpdesk.connected}
            canSend={canSend}
            cannotSend="Set the ticket you are working on (above) to send this reply from here; you can copy it meanwhile."
          />
        ))}
    </section>
  );
}
