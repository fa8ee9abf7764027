"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { HelpdeskDeliveries } from "@/components/helpdesk-deliveries";
import { formatUtcShort } from "@/components/local-time";
import { isDeliveryPending } from "@/lib/audit/delivery-state";
import type { ResetDeliveries } from "@/lib/audit/get-reset-deliveries";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import { DeliveryBadge } from "./audit-table";

const POLL_MS = 3000;

const REPLY_STATUS: Record<string, string> = {
  queued: "queued for the helpdesk",
  retrying: "retrying",
  delivered: "delivered",
  dead: "not delivered",
};

/**
 * A reset's notes and reply as they reach the helpdesk, on its audit page:
 * asked for again every few seconds while anything is queued or retrying,
 * no longer once everything has settled. The reply is shown as it was sent.
 */
export function LiveDeliveries({
  resetId,
  initial,
  failed,
  canRetry,
}: {
  resetId: string;
  initial: ResetDeliveries;
  failed: boolean;
  canRetry: boolean;
}) {
  const queryClient = useQueryClient();
  // A retry refreshes the page from the server: its newer view replaces ours, and polling resumes if anything moves again.
  useEffect(() => {
    queryClient.setQueryData(queryKeys.auditResetDeliveries(resetId), initial);
  }, [queryClient, resetId, initial]);
  const { data } = useQuery({
    queryKey: queryKeys.auditResetDeliveries(resetId),
    queryFn: ({ signal }) => consoleApi.resetDeliveries(resetId, signal),
    initialData: initial,
    staleTime: POLL_MS,
    refetchInterval: (query) => (query.state.data && isDeliveryPending(query.state.data.state) ? POLL_MS : false),
  });
  const { deliveries, reply, state } = data;
  return (
    <>
      <section aria-labelledby="deliveries-heading" className="space-y-2">
        <h2 id="deliveries-heading" className="text-lg font-semibold">
          Into the helpdesk <DeliveryBadge state={state} />
        </h2>
        {deliveries.length === 0 ? (
          <p className="text-sm text-slate-700">
            {failed
              ? "Nothing was sent to the helpdesk: a failed attempt queues no note."
              : "Nothing was queued for the helpdesk (it was not connected when this reset ran)."}
          </p>
        ) : (
          <HelpdeskDeliveries deliveries={deliveries} canRetry={canRetry} />
        )}
      </section>
      <section aria-labelledby="reply-heading" className="space-y-2">
        <h2 id="reply-heading" className="text-lg font-semibold">
          Reply to the customer
        </h2>
        {reply === null ? (
          <p className="text-sm text-slate-700">No reply was sent to the customer for this reset.</p>
        ) : (
          <figure className="rounded-lg border border-slate-200 bg-white p-4 text-sm" data-testid="sent-reply" data-status={reply.status}>
            <figcaption className="mb-2 text-slate-700">
              Sent by {reply.sentBy} at {formatUtcShort(reply.sentAt)}, as a public comment: {REPLY_STATUS[reply.status]}
              {reply.status === "delivered" && reply.zendeskCommentId ? ` (comment ${reply.zendeskCommentId})` : ""}.
            </figcaption>
            <blockquote className="whitespace-pre-wrap break-words border-l-4 border-slate-300 pl-3">{reply.body}</blockquote>
            {reply.lastError && reply.status !== "delivered" && (
              <p className="mt-2 text-xs text-slate-700">Last error: {reply.lastError}</p>
            )}
          </figure>
        )}
      </section>
    </>
  );
}
