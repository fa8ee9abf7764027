import "server-only";
import type { Db, Tx } from "@/lib/platform/db";

/** The reply to the customer as it was sent for one reset: the text, and how its delivery went. */
export interface SentReply {
  deliveryId: string;
  body: string;
  status: "queued" | "retrying" | "delivered" | "dead";
  sentBy: string;
  sentAt: string;
  deliveredAt: string | null;
  zendeskCommentId: string | null;
  lastError: string | null;
}

/**
 * The customer reply sent for a reset, read from its helpdesk delivery (kind
 * customer_reply), or null when none was sent. The one place that knows where
 * the sent reply lives: if it moves, this is what changes.
 */
export async function getSentReply(db: Db | Tx, resetId: string): Promise<SentReply | null> {
  const row = await db.helpdeskDelivery.findFirst({
    where: { resetId, kind: "customer_reply" },
    select: {
      id: true,
      body: true,
      status: true,
      requestedByName: true,
      createdAt: true,
      deliveredAt: true,
      zendeskCommentId: true,
      lastError: true,
    },
  });
  if (!row) return null;
  return {
    deliveryId: row.id,
    body: row.body,
    status: row.status,
    sentBy: row.requestedByName,
    sentAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    zendeskCommentId: row.zendeskCommentId?.toString() ?? null,
    lastError: row.lastError,
  };
}
