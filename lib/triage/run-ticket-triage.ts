import "server-only";
import { appendAuditEvent } from "@/lib/audit/append-audit-event";
import { deliverHelpdeskComment, type DeliveryOutcome } from "@/lib/helpdesk/deliver-helpdesk-comment";
import type { ZendeskClient } from "@/lib/helpdesk/zendesk-client";
import { getDb } from "@/lib/platform/db";
import { ensureTriageDelivery } from "./triage-delivery";

/**
 * The triage job of one ticket (decision 031, amended by 042): its one
 * internal note is a helpdesk delivery of kind triage_note, posted by the
 * same code as the reset notes and replies (lib/helpdesk/deliver-helpdesk-comment.ts),
 * so it gets the same guarantees: one worker at a time (a lease on the
 * delivery's row, no database connection held across the Zendesk requests),
 * the marker searched for whenever the note may have landed and whatever
 * failed next, refusals confirmed by a search, Retry-After deferred without
 * using up a try. Right before each post the ticket is read and the note
 * computed again (./triage-delivery.ts: the account may have been reset while
 * Zendesk was away), so what it says is true when it is sent. It reads
 * accounts, never changes one. Every delivery and death is an audit event
 * (`triage.note_delivered`, `triage.note_dead`).
 */
export type TriageOutcome = "delivered" | "recovered" | "already_delivered" | "dead" | "ticket_not_found" | "not_posted" | "deferred";

const DONE: Record<string, TriageOutcome> = { delivered: "already_delivered", dead: "dead", not_posted: "not_posted" };
const OUTCOME: Record<DeliveryOutcome, TriageOutcome> = {
  delivered: "delivered",
  recovered: "recovered",
  already_delivered: "already_delivered",
  dead: "dead",
  deferred: "deferred",
  not_posted: "ticket_not_found",
};

export async function runTicketTriage(
  ticketId: string,
  client: ZendeskClient,
  attempt: { finalAttempt: boolean; jobId: string },
): Promise<TriageOutcome> {
  const row = await getDb().ticketTriage.findUniqueOrThrow({ where: { ticketId }, select: { noteStatus: true, noteMarker: true } });
  if (DONE[row.noteStatus]) return DONE[row.noteStatus]!;
  const deliveryId = await ensureTriageDelivery({ ticketId, noteMarker: row.noteMarker });
  return OUTCOME[await deliverHelpdeskComment(deliveryId, client, attempt)];
}

/** The dead-letter queue: a job whose tries ran out (or whose worker died on the last one) leaves its note dead, with an audit event. */
export async function markTriageNoteDead(ticketId: string, reason: string, requestId: string): Promise<boolean> {
  return getDb().$transaction(async (tx) => {
    const updated = await tx.ticketTriage.updateMany({
      where: { ticketId, noteStatus: "pending" },
      data: { noteStatus: "dead", lastError: reason, updatedAt: new Date() },
    });
    if (updated.count === 0) return false;
    const triage = await tx.ticketTriage.findUniqueOrThrow({ where: { ticketId }, select: { noteMarker: true } });
    await tx.helpdeskDelivery.updateMany({
      where: { marker: triage.noteMarker, status: { in: ["queued", "retrying"] } },
      data: { status: "dead", lastError: reason, notBefore: null, updatedAt: new Date() },
    });
    await appendAuditEvent(tx, {
      actor: { id: null, name: "ticket triage", email: null },
      action: "triage.note_dead",
      target: { type: "ticket", id: ticketId },
      ticketId,
      details: { error: reason, permanent: false },
      meta: { requestId, ip: null, userAgent: null },
    });
    return true;
  });
}
