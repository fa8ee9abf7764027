import "server-only";
import { randomUUID } from "node:crypto";
import { enqueueInTransaction } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import type { Tx } from "@/lib/platform/db";
import { helpdeskConnection } from "./get-zendesk";
import { noteComment, type ApprovalNoteKind } from "./helpdesk-comments";

/**
 * Inside the transaction of an approval request's step: records the step's
 * internal note for the ticket and enqueues the job that posts the request's
 * notes, oldest first (outbox, as the reset's notes). Each step's note exists
 * once per request (unique index), so a step recorded twice would fail
 * rather than post twice. Without a connected helpdesk nothing is queued.
 */
export async function queueApprovalNote(
  tx: Tx,
  input: {
    approvalId: string;
    accountId: number;
    ticketId: string;
    kind: ApprovalNoteKind;
    body: string;
    requestedBy: { id: string | null; name: string };
  },
): Promise<boolean> {
  if (!helpdeskConnection().connected) return false;
  await tx.helpdeskDelivery.create({
    data: {
      ...noteComment(randomUUID(), input.body),
      approvalId: input.approvalId,
      accountId: input.accountId,
      ticketId: input.ticketId,
      kind: input.kind,
      requestedById: input.requestedBy.id,
      requestedByName: input.requestedBy.name,
    },
  });
  await enqueueInTransaction(tx, QUEUES.deliverApprovalNotes, { approvalId: input.approvalId });
  return true;
}
