import "server-only";
import type { Db, Tx } from "@/lib/platform/db";
import type { DeliveryKind } from "./helpdesk-comments";

/** What the console shows of deliveries into the helpdesk: state, comment id and time, last error; never a token. */
export interface DeliveryView {
  id: string;
  resetId: string | null;
  accountId: number | null;
  familyResetId: string | null;
  kind: DeliveryKind;
  status: "queued" | "retrying" | "delivered" | "dead";
  attempts: number;
  lastError: string | null;
  notBefore: string | null;
  zendeskCommentId: string | null;
  deliveredAt: string | null;
  requestedByName: string;
  createdAt: string;
  /** A reply's: the text as the agent confirmed it, what reached the ticket, and how it was sent. Null for notes (their text is the note's). */
  reply: {
    text: string;
    /** What is in the ticket once delivered: the text, or an earlier send's text found there when it was sent again. */
    sentText: string | null;
    landedEarlierText: boolean;
    /** Texts of earlier sends that went dead before this one. */
    earlierTexts: string[];
    ticketStatus: "pending" | "solved" | null;
    /** agent: the sending agent's Zendesk user (or to be looked up); integration: the integration's own user. */
    author: "agent" | "integration";
  } | null;
}

/** The columns a delivery view is made of (toDeliveryView). */
export const DELIVERY_VIEW_SELECT = {
  id: true,
  resetId: true,
  accountId: true,
  familyResetId: true,
  kind: true,
  status: true,
  attempts: true,
  lastError: true,
  notBefore: true,
  zendeskCommentId: true,
  deliveredAt: true,
  requestedByName: true,
  createdAt: true,
  body: true,
  sentBody: true,
  landedEarlierText: true,
  supersededBodies: true,
  ticketStatus: true,
  authorEmail: true,
  authorZendeskId: true,
} as const;

type Row = {
  id: string;
  resetId: string | null;
  accountId: number | null;
  familyResetId: string | null;
  kind: DeliveryView["kind"];
  status: DeliveryView["status"];
  attempts: number;
  lastError: string | null;
  notBefore: Date | null;
  zendeskCommentId: bigint | null;
  deliveredAt: Date | null;
  requestedByName: string;
  createdAt: Date;
  body: string;
  sentBody: string | null;
  landedEarlierText: boolean;
  supersededBodies: string[];
  ticketStatus: string | null;
  authorEmail: string | null;
  authorZendeskId: bigint | null;
};

export function toDeliveryView(r: Row): DeliveryView {
  return {
    id: r.id,
    resetId: r.resetId,
    accountId: r.accountId,
    familyResetId: r.familyResetId,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    notBefore: r.notBefore?.toISOString() ?? null,
    zendeskCommentId: r.zendeskCommentId === null ? null : r.zendeskCommentId.toString(),
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
    requestedByName: r.requestedByName,
    createdAt: r.createdAt.toISOString(),
    reply:
      r.kind === "customer_reply"
        ? {
            text: r.body,
            sentText: r.status === "delivered" ? (r.sentBody ?? r.body) : null,
            landedEarlierText: r.landedEarlierText,
            earlierTexts: r.supersededBodies,
            ticketStatus: r.ticketStatus === "pending" || r.ticketStatus === "solved" ? r.ticketStatus : null,
            author: r.authorEmail !== null || r.authorZendeskId !== null ? "agent" : "integration",
          }
        : null,
  };
}

export type DeliveryWhere =
  { resetId: string } | { ticketId: string } | { familyResetId: string } | { id: string } | { approvalId: string };

export async function listDeliveries(db: Db | Tx, where: DeliveryWhere): Promise<DeliveryView[]> {
  const rows = await db.helpdeskDelivery.findMany({
    where,
    select: DELIVERY_VIEW_SELECT,
    orderBy: [{ createdAt: "asc" }, { kind: "asc" }],
    take: 500,
  });
  return rows.map((r) => toDeliveryView(r as Row));
}
