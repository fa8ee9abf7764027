import "server-only";
import { AppError } from "@/lib/platform/errors";
import { enqueueInTransaction } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { appendAuditEvent, type RequestMeta } from "@/lib/audit/append-audit-event";
import { getDb } from "@/lib/platform/db";
import type { StaffSession } from "@/lib/auth/get-staff";
import { deliveryTarget } from "./deliver-helpdesk-comment";

/** conflict: the delivery already arrived. */
export interface RetryConflictDetails {
  status: string;
}

/**
 * An agent or lead tries a dead (or still retrying) delivery again now: the
 * delivery gets a fresh set of tries. For a reset's notes both notes go
 * together (note 2 is never posted before note 1). Marker and search still
 * guard against duplicates, so retrying one that did arrive posts nothing.
 */
export async function retryDelivery(input: { deliveryId: string; staff: StaffSession; meta: RequestMeta }): Promise<{ status: "queued" }> {
  const { staff, meta } = input;
  return getDb().$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<
      {
        id: string;
        reset_id: string | null;
        account_id: number | null;
        approval_id: string | null;
        ticket_id: string;
        kind: string;
        status: string;
      }[]
    >`
      SELECT id, reset_id, account_id, approval_id, ticket_id, kind::text AS kind, status::text AS status
      FROM helpdesk_delivery WHERE id = ${input.deliveryId}::uuid FOR UPDATE`;
    if (!row) throw new AppError("not_found", `No delivery with id ${input.deliveryId}.`);
    if (row.status === "delivered")
      throw new AppError("conflict", "It was delivered already.", { status: row.status } satisfies RetryConflictDetails);
    const isNote = row.kind !== "customer_reply" && row.reset_id !== null;
    await tx.helpdeskDelivery.updateMany({
      where: isNote
        ? { resetId: row.reset_id, kind: { in: ["scopes_before", "scopes_after"] }, status: { not: "delivered" } }
        : { id: row.id },
      // in_flight_since stays: a comment that may have landed is searched for before it is posted again (decision 027).
      data: { status: "queued", notBefore: null, lastError: null, deferrals: 0, updatedAt: new Date() },
    });
    if (isNote) await enqueueInTransaction(tx, QUEUES.deliverResetNotes, { resetId: row.reset_id! });
    else if (row.kind === "triage_note") {
      // The triage job computes the note again and posts it through this delivery (decision 042).
      await tx.ticketTriage.updateMany({
        where: { ticketId: row.ticket_id, noteStatus: { in: ["dead", "not_posted"] } },
        data: { noteStatus: "pending", lastError: null, updatedAt: new Date() },
      });
      await enqueueInTransaction(tx, QUEUES.triageTicket, { ticketId: row.ticket_id });
    } else if (row.approval_id !== null) await enqueueInTransaction(tx, QUEUES.deliverApprovalNotes, { approvalId: row.approval_id });
    else await enqueueInTransaction(tx, QUEUES.sendCustomerReply, { deliveryId: row.id });
    await appendAuditEvent(tx, {
      actor: { id: staff.id, name: staff.name, email: staff.email },
      action: "helpdesk.delivery_retried",
      ...deliveryTarget({
        resetId: row.reset_id,
        accountId: row.account_id,
        approvalId: row.approval_id,
        kind: row.kind,
        ticketId: row.ticket_id,
      }),
      ticketId: row.ticket_id,
      details: { deliveryId: row.id, kind: row.kind, previousStatus: row.status },
      meta,
    });
    return { status: "queued" as const };
  });
}
