import "server-only";
import { randomUUID } from "node:crypto";
import { AppError } from "@/lib/platform/errors";
import { enqueueInTransaction } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { appendAuditEvent, type RequestMeta } from "@/lib/audit/append-audit-event";
import { getDb } from "@/lib/platform/db";
import type { StaffSession } from "@/lib/auth/get-staff";
import { helpdeskConnection } from "./get-zendesk";
import { replyComment } from "./helpdesk-comments";

/** conflict: the reply already queued or delivered. */
export interface ReplyConflictDetails {
  deliveryId: string;
  status: string;
}

/**
 * The agent sends the customer reply of a reset, as edited and confirmed in
 * the console, as a public comment on the reset's ticket. Never automatic:
 * only this call sends it. Recorded and audited with the text as sent;
 * delivered by the worker like the notes, once. A reply whose delivery went
 * dead may be sent again (with new text); one queued or delivered may not.
 */
export async function sendCustomerReply(input: {
  resetId: string;
  text: string;
  staff: StaffSession;
  meta: RequestMeta;
}): Promise<{ deliveryId: string }> {
  const connection = helpdeskConnection();
  if (!connection.connected) {
    throw new AppError(
      "helpdesk_not_connected",
      "The helpdesk is not connected, so the reply cannot be sent from here: copy it into the ticket.",
    );
  }
  const { resetId, staff, meta } = input;
  return getDb().$transaction(async (tx) => {
    const [reset] = await tx.$queryRaw<{ outcome: string; ticket_id: string }[]>`
      SELECT outcome::text AS outcome, ticket_id FROM scope_reset WHERE id = ${resetId}::uuid FOR UPDATE`;
    if (!reset) throw new AppError("not_found", `No scope reset with id ${resetId}.`);
    if (reset.outcome !== "succeeded") throw new AppError("conflict", "This reset failed, so there is no reply to send.");
    const earlier = await tx.helpdeskDelivery.findUnique({
      where: { resetId_kind: { resetId, kind: "customer_reply" } },
      select: { id: true, status: true },
    });
    if (earlier && earlier.status !== "dead") {
      throw new AppError("conflict", earlier.status === "delivered" ? "The reply was already sent." : "The reply is already on its way.", {
        deliveryId: earlier.id,
        status: earlier.status,
      } satisfies ReplyConflictDetails);
    }
    const comment = replyComment(resetId, input.text);
    const data = {
      ...comment,
      status: "queued" as const,
      attempts: 0,
      lastError: null,
      inFlightSince: null,
      notBefore: null,
      requestedById: staff.id,
      requestedByName: staff.name,
      updatedAt: new Date(),
    };
    const deliveryId = earlier?.id ?? randomUUID();
    if (earlier) await tx.helpdeskDelivery.update({ where: { id: earlier.id }, data });
    else
      await tx.helpdeskDelivery.create({ data: { id: deliveryId, resetId, ticketId: reset.ticket_id, kind: "customer_reply", ...data } });
    await enqueueInTransaction(tx, QUEUES.sendCustomerReply, { deliveryId });
    await appendAuditEvent(tx, {
      actor: { id: staff.id, name: staff.name, email: staff.email },
      action: "helpdesk.reply_requested",
      target: { type: "scope_reset", id: resetId },
      ticketId: reset.ticket_id,
      details: { deliveryId, characters: comment.body.length, resend: earlier !== null },
      meta,
    });
    return { deliveryId };
  });
}
