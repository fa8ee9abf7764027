import "server-only";
import { randomUUID } from "node:crypto";
import { enqueueInTransaction } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import type { Tx } from "@/lib/platform/db";
import { helpdeskConnection } from "./get-zendesk";
import { noteComment, type NoteKind } from "./helpdesk-comments";

/**
 * Inside a reset's transaction (or a family reset's last one): records the
 * two notes to post into the ticket and enqueues the job that posts them
 * (outbox). Nothing waits for Zendesk here, so delivery never slows or blocks
 * a reset; a reset that rolls back leaves neither rows nor job. Without a
 * connected helpdesk nothing is queued: the notes stay in the console to
 * copy, as before.
 */
export async function queueResetNotes(
  tx: Tx,
  input: {
    /** The reset the notes belong to (a family's: its first reset account's). */
    resetId: string;
    accountId: number;
    familyResetId?: string | null;
    ticketId: string;
    notes: readonly { kind: NoteKind; body: string }[];
    requestedBy: { id: string | null; name: string };
  },
): Promise<boolean> {
  if (!helpdeskConnection().connected) return false;
  await tx.helpdeskDelivery.createMany({
    data: input.notes.map((note) => ({
      ...noteComment(randomUUID(), note.body),
      resetId: input.resetId,
      accountId: input.accountId,
      familyResetId: input.familyResetId ?? null,
      ticketId: input.ticketId,
      kind: note.kind,
      requestedById: input.requestedBy.id,
      requestedByName: input.requestedBy.name,
    })),
  });
  await enqueueInTransaction(tx, QUEUES.deliverResetNotes, { resetId: input.resetId });
  return true;
}
