import "server-only";
import type { Db, Tx } from "@/lib/platform/db";

/** What the console shows of deliveries into the helpdesk: state, comment id and time, last error; never a token. */
export interface DeliveryView {
  id: string;
  resetId: string;
  kind: "scopes_before" | "scopes_after" | "customer_reply";
  status: "queued" | "retrying" | "delivered" | "dead";
  attempts: number;
  lastError: string | null;
  notBefore: string | null;
  zendeskCommentId: string | null;
  deliveredAt: string | null;
  requestedByName: string;
  createdAt: string;
}

const SELECT = {
  id: true,
  resetId: true,
  kind: true,
  status: true,
  attempts: true,
  lastError: true,
  notBefore: true,
  zendeskCommentId: true,
  deliveredAt: true,
  requestedByName: true,
  createdAt: true,
} as const;

type Row = {
  id: string;
  resetId: string;
  kind: DeliveryView["kind"];
  status: DeliveryView["status"];
  attempts: number;
  lastError: string | null;
  notBefore: Date | null;
  zendeskCommentId: bigint | null;
  deliveredAt: Date | null;
  requestedByName: string;
  createdAt: Date;
};

function toView(r: Row): DeliveryView {
  return {
    id: r.id,
    resetId: r.resetId,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    notBefore: r.notBefore?.toISOString() ?? null,
    zendeskCommentId: r.zendeskCommentId === null ? null : r.zendeskCommentId.toString(),
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
    requestedByName: r.requestedByName,
    createdAt: r.createdAt.toISOString(),
  };
}

export async function listDeliveries(db: Db | Tx, where: { resetId: string } | { ticketId: string }): Promise<DeliveryView[]> {
  const rows = await db.helpdeskDelivery.findMany({ where, select: SELECT, orderBy: [{ createdAt: "asc" }, { kind: "asc" }], take: 500 });
  return rows.map((r) => toView(r as Row));
}
