import "server-only";
import { helpdeskConnection } from "@/lib/helpdesk/get-zendesk";
import { enqueueInTransaction } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import { claimOnce } from "@/lib/platform/replay-guard";
import { parseTicketRef } from "@/lib/tickets/ticket-ref";
import { triageMarker } from "./triage-note";
import { WEBHOOK_MAX_AGE_MS, WEBHOOK_MAX_FUTURE_MS } from "./webhook-signature";

export type WebhookAcceptance = "queued" | "already_triaged" | "replayed";

/**
 * A verified webhook for a new ticket, in one transaction (the outbox of
 * decision 016): its replay key (from verifyWebhookSignature: a digest of the
 * signature's bytes, however they were spelled) is claimed once (a replay changes nothing),
 * the ticket's triage row is written and its job enqueued, or, when the
 * ticket has a row already (the webhook fired twice, or two at once), only
 * counted. The primary key on the ticket makes concurrent webhooks wait for
 * each other: one job per ticket, ever. Nothing here reads Zendesk.
 */
export async function acceptTriageWebhook(input: { ticketId: string; replayKey: string; signedAt: Date }): Promise<WebhookAcceptance> {
  if (!helpdeskConnection().connected) {
    throw new AppError(
      "helpdesk_not_connected",
      "Zendesk is not connected, so a ticket cannot be triaged (ZENDESK_CLIENT_ID, ZENDESK_CLIENT_SECRET).",
    );
  }
  const ticket = parseTicketRef(input.ticketId, getConfig().helpdesk);
  if (!ticket.ok)
    throw new AppError("bad_request", `The webhook's ticket_id is not a ticket number: ${ticket.error}`, { field: "ticket_id" });
  const claimUntil = new Date(input.signedAt.getTime() + WEBHOOK_MAX_AGE_MS + WEBHOOK_MAX_FUTURE_MS);
  return getDb().$transaction(async (tx): Promise<WebhookAcceptance> => {
    if (!(await claimOnce(tx, "zendesk_webhook", input.replayKey, claimUntil))) return "replayed";
    const [row] = await tx.$queryRaw<{ inserted: boolean }[]>`
      INSERT INTO ticket_triage (ticket_id, ticket_url, note_marker) VALUES (${ticket.ticketId}, ${ticket.url}, ${triageMarker(ticket.ticketId)})
      ON CONFLICT (ticket_id) DO UPDATE SET webhooks_received = ticket_triage.webhooks_received + 1, updated_at = now()
      RETURNING (xmax = 0) AS inserted`;
    if (!row?.inserted) return "already_triaged";
    await enqueueInTransaction(tx, QUEUES.triageTicket, { ticketId: ticket.ticketId });
    return "queued";
  });
}
