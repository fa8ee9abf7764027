import "server-only";
import { appendAuditEvent } from "@/lib/audit/append-audit-event";
import { getDb } from "@/lib/platform/db";
import { getLogger } from "@/lib/platform/logger";
import { isZendeskError } from "./zendesk-errors";
import type { ZendeskClient } from "./zendesk-client";

/**
 * Posts one recorded comment (a reset's internal note or a customer reply)
 * into its ticket, once. The recipe of decision 015:
 *  - a delivery is worked by one worker at a time (a transaction-scoped
 *    advisory lock on its id, held across the request);
 *  - just before posting, `in_flight_since` is committed; it is cleared when
 *    the answer is recorded, and kept when the failure was ambiguous (a
 *    timeout, a lost answer). A worker killed mid-request leaves it set too.
 *    Whenever it is set, the ticket's comments are searched for the marker
 *    first, so the customer never sees a comment twice;
 *  - `Retry-After` is kept in `not_before`; no attempt starts before it;
 *  - failures a person must fix (no such ticket, refused credentials, a
 *    ticket full at 5,000 comments) go dead at once; transient ones are
 *    thrown for the job to retry with backoff, and go dead on the last try.
 * Every delivery and every death is an audit event.
 */

export type DeliveryOutcome = "delivered" | "recovered" | "already_delivered" | "dead";

export interface DeliveryAttempt {
  /** The job's last try: a failure now is final. */
  finalAttempt: boolean;
  /** The pg-boss job id, kept as the audit event's request id. */
  jobId: string;
}

/** The longest a worker waits for a Retry-After in place; a longer one fails this try and the job retries later. */
const MAX_IN_PLACE_WAIT_MS = 120_000;
const SYSTEM_ACTOR = { id: null, name: "helpdesk delivery", email: null };

export class DeliveryDeferred extends Error {
  override name = "DeliveryDeferred";
}

export async function deliverHelpdeskComment(
  deliveryId: string,
  client: ZendeskClient,
  attempt: DeliveryAttempt,
  clock: { now(): number; sleep(ms: number): Promise<void> } = { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
): Promise<DeliveryOutcome> {
  const db = getDb();
  return db.$transaction(
    async (lockTx) => {
      await lockTx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`helpdesk-delivery:${deliveryId}`}, 0))`;
      const row = await db.helpdeskDelivery.findUniqueOrThrow({ where: { id: deliveryId } });
      if (row.status === "delivered") return "already_delivered";
      if (row.status === "dead") return "dead";

      const wait = (row.notBefore?.getTime() ?? 0) - clock.now();
      if (wait > MAX_IN_PLACE_WAIT_MS) throw new DeliveryDeferred(`Zendesk asked to wait until ${row.notBefore!.toISOString()}`);
      if (wait > 0) await clock.sleep(wait);

      const meta = { requestId: `job:${attempt.jobId}`, ip: null, userAgent: null };
      try {
        if (row.inFlightSince) {
          // An earlier try may have posted it: look before posting again.
          const found = await client.findCommentContaining(row.ticketId, row.marker);
          if (found) {
            await markDelivered(row, { commentId: found.id, at: new Date(found.createdAt) }, true, meta);
            return "recovered";
          }
        }
        await db.helpdeskDelivery.update({
          where: { id: row.id },
          data: { inFlightSince: new Date(clock.now()), attempts: { increment: 1 }, updatedAt: new Date(clock.now()) },
        });
        const added = await client.addComment(row.ticketId, { body: row.body, public: row.public });
        await markDelivered(row, { commentId: added.commentId, at: new Date(added.createdAt) }, false, meta);
        return "delivered";
      } catch (error) {
        const zendesk = isZendeskError(error) ? error : null;
        const permanent = zendesk !== null && !zendesk.transient && !zendesk.ambiguous;
        const dead = permanent || attempt.finalAttempt;
        const message = (zendesk?.message ?? (error instanceof Error ? error.message : String(error))).slice(0, 500);
        const retryAt = zendesk?.retryAfterSeconds ? new Date(clock.now() + zendesk.retryAfterSeconds * 1000) : null;
        await db.$transaction(async (tx) => {
          await tx.helpdeskDelivery.update({
            where: { id: row.id },
            data: {
              status: dead ? "dead" : "retrying",
              lastError: message,
              notBefore: retryAt,
              // Kept when the comment may have been posted: the next try searches first.
              ...(zendesk?.ambiguous ? {} : { inFlightSince: null }),
              updatedAt: new Date(clock.now()),
            },
          });
          if (dead) {
            await appendAuditEvent(tx, {
              actor: SYSTEM_ACTOR,
              action: "helpdesk.delivery_dead",
              target: { type: "scope_reset", id: row.resetId },
              ticketId: row.ticketId,
              details: { deliveryId: row.id, kind: row.kind, attempts: row.attempts + 1, error: message, permanent },
              meta,
            });
          }
        });
        getLogger().warn({ deliveryId: row.id, kind: row.kind, dead, err: message }, "helpdesk delivery failed");
        if (dead) return "dead";
        throw error;
      }
    },
    // The lock is held across the Zendesk request (timeouts included) and a Retry-After wait.
    { maxWait: 10_000, timeout: MAX_IN_PLACE_WAIT_MS + 90_000 },
  );
}

async function markDelivered(
  row: { id: string; resetId: string; ticketId: string; kind: string },
  comment: { commentId: number; at: Date },
  recovered: boolean,
  meta: { requestId: string; ip: null; userAgent: null },
): Promise<void> {
  await getDb().$transaction(async (tx) => {
    await tx.helpdeskDelivery.update({
      where: { id: row.id },
      data: {
        status: "delivered",
        zendeskCommentId: BigInt(comment.commentId),
        deliveredAt: comment.at,
        inFlightSince: null,
        lastError: null,
        notBefore: null,
        updatedAt: new Date(),
      },
    });
    await appendAuditEvent(tx, {
      actor: SYSTEM_ACTOR,
      action: row.kind === "customer_reply" ? "helpdesk.reply_delivered" : "helpdesk.note_delivered",
      target: { type: "scope_reset", id: row.resetId },
      ticketId: row.ticketId,
      details: { deliveryId: row.id, kind: row.kind, commentId: comment.commentId, recovered },
      meta,
    });
  });
}
