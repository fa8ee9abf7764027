import "server-only";
import { appendAuditEvent } from "@/lib/audit/append-audit-event";
import { getDb } from "@/lib/platform/db";
import { deliverHelpdeskComment, deliveryTarget, type DeliveryAttempt, type DeliveryOutcome } from "./deliver-helpdesk-comment";
import type { ZendeskClient } from "./zendesk-client";

const NOTE_ORDER = ["scopes_before", "scopes_after"] as const;

/**
 * The job of one reset (or of a family reset, on its first reset): note 1,
 * then note 2, each once. Note 2 is not posted before note 1 is in the
 * ticket (the ticket reads in order); a failure or a deferral stops here and
 * the job (or the deferred one) goes on from the first note not yet delivered.
 */
export async function deliverResetNotes(resetId: string, client: ZendeskClient, attempt: DeliveryAttempt): Promise<DeliveryOutcome[]> {
  const rows = await getDb().helpdeskDelivery.findMany({
    where: { resetId, kind: { in: [...NOTE_ORDER] } },
    select: { id: true, kind: true },
  });
  rows.sort(
    (a, b) => NOTE_ORDER.indexOf(a.kind as (typeof NOTE_ORDER)[number]) - NOTE_ORDER.indexOf(b.kind as (typeof NOTE_ORDER)[number]),
  );
  const outcomes: DeliveryOutcome[] = [];
  for (const row of rows) {
    const outcome = await deliverHelpdeskComment(row.id, client, attempt);
    outcomes.push(outcome);
    if (outcome === "deferred") break;
    if (outcome === "dead") {
      // Note 2 must not arrive without note 1: it goes dead with it, and a retry revives both.
      const behind = rows.slice(rows.indexOf(row) + 1).map((r) => r.id);
      if (behind.length > 0)
        await markDeliveriesDead({ ids: behind }, "Not posted: the note before it could not be delivered.", `job:${attempt.jobId}`);
      break;
    }
  }
  return outcomes;
}

/**
 * Marks still-undelivered deliveries dead, each with an audit event: note 2
 * behind a dead note 1, or the deliveries of a job whose worker died on its
 * last try (the dead-letter queue).
 */
export async function markDeliveriesDead(
  which: { resetId: string } | { approvalId: string } | { ids: readonly string[] },
  reason: string,
  requestId: string,
): Promise<number> {
  return getDb().$transaction(async (tx) => {
    const rows = await tx.helpdeskDelivery.findMany({
      where: {
        ...("resetId" in which
          ? { resetId: which.resetId }
          : "approvalId" in which
            ? { approvalId: which.approvalId }
            : { id: { in: [...which.ids] } }),
        status: { in: ["queued", "retrying"] },
      },
      select: { id: true, resetId: true, accountId: true, approvalId: true, ticketId: true, kind: true, attempts: true },
    });
    for (const row of rows) {
      await tx.helpdeskDelivery.update({ where: { id: row.id }, data: { status: "dead", lastError: reason, updatedAt: new Date() } });
      await appendAuditEvent(tx, {
        actor: { id: null, name: "helpdesk delivery", email: null },
        action: "helpdesk.delivery_dead",
        ...deliveryTarget(row),
        ticketId: row.ticketId,
        details: { deliveryId: row.id, kind: row.kind, attempts: row.attempts, error: reason, permanent: false },
        meta: { requestId, ip: null, userAgent: null },
      });
    }
    return rows.length;
  });
}
