"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { asApiError } from "@/lib/client/api-fetch";
import { consoleApi } from "@/lib/client/console-api";
import type { DeliveryView } from "@/lib/helpdesk/list-deliveries";
import { formatUtcShort } from "./local-time";

const LABEL: Record<DeliveryView["kind"], string> = {
  scopes_before: "Ticket note 1 (scopes before)",
  scopes_after: "Ticket note 2 (scopes after)",
  customer_reply: "Customer reply",
  approval_requested: "Approval note: requested",
  approval_approved: "Approval note: approved",
  approval_denied: "Approval note: denied",
  approval_cancelled: "Approval note: cancelled",
  approval_expired: "Approval note: expired",
  approval_voided: "Approval note: void",
  triage_note: "Triage note",
};

const STATUS: Record<DeliveryView["status"], { text: string; tone: string }> = {
  queued: { text: "queued", tone: "bg-slate-100 text-slate-800" },
  retrying: { text: "retrying", tone: "bg-amber-100 text-amber-900" },
  delivered: { text: "delivered", tone: "bg-emerald-100 text-emerald-900" },
  dead: { text: "not delivered", tone: "bg-red-100 text-red-900" },
};

/** What Scopedesk posted (or is posting) into the ticket, and a retry for what did not arrive. */
export function HelpdeskDeliveries({ deliveries, canRetry }: { deliveries: readonly DeliveryView[]; canRetry: boolean }) {
  if (deliveries.length === 0) return null;
  return (
    <ul className="space-y-2 text-sm" data-testid="helpdesk-deliveries">
      {deliveries.map((d) => (
        <DeliveryRow key={d.id} delivery={d} canRetry={canRetry} />
      ))}
    </ul>
  );
}

function DeliveryRow({ delivery: d, canRetry }: { delivery: DeliveryView; canRetry: boolean }) {
  const router = useRouter();
  const retry = useMutation({
    mutationFn: () => consoleApi.retryDelivery(d.id),
    onSuccess: () => router.refresh(),
  });
  const status = STATUS[d.status];
  return (
    <li className="rounded border border-slate-200 bg-white p-2" data-testid="delivery-row" data-status={d.status} data-kind={d.kind}>
      <span className="font-medium">{LABEL[d.kind]}</span>{" "}
      <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${status.tone}`}>{status.text}</span>{" "}
      {d.status === "delivered" && d.deliveredAt && (
        <span className="text-slate-700">
          as comment {d.zendeskCommentId} at {formatUtcShort(d.deliveredAt)}
        </span>
      )}
      {d.status !== "delivered" && d.attempts > 0 && (
        <span className="text-slate-700">
          after {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
        </span>
      )}
      {d.lastError && d.status !== "delivered" && <p className="text-xs text-slate-700">Last error: {d.lastError}</p>}
      {d.notBefore && d.status === "retrying" && (
        <p className="text-xs text-slate-700">The helpdesk asked to wait until {formatUtcShort(d.notBefore)}.</p>
      )}
      {canRetry && (d.status === "dead" || d.status === "retrying") && (
        <button
          type="button"
          onClick={() => retry.mutate()}
          disabled={retry.isPending}
          className="ml-2 rounded border border-slate-400 px-2 py-0.5 text-xs font-medium hover:bg-slate-50 disabled:opacity-60"
        >
          {retry.isPending ? "Retrying…" : "Retry now"}
        </button>
      )}
      {d.reply && (
        <details className="mt-1" open={d.kind === "customer_reply" && d.status === "delivered"}>
          <summary className="cursor-pointer text-xs text-slate-700">
            {d.status === "delivered" ? "The text that reached the ticket" : "The text to send"}
            {d.reply.ticketStatus ? `, with the ticket set to ${d.reply.ticketStatus}` : ""}
            {d.reply.landedEarlierText ? " (an earlier send's text, found in the ticket)" : ""}
          </summary>
          <pre
            className="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-2 font-mono text-xs"
            data-testid="delivery-reply-text"
          >
            {d.reply.sentText ?? d.reply.text}
          </pre>
        </details>
      )}
      {retry.error && (
        <p role="alert" className="text-xs text-red-800">
          {asApiError(retry.error)?.message}
        </p>
      )}
    </li>
  );
}
