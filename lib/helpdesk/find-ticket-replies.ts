import "server-only";
import { formatUtc } from "@/lib/accounts/cutoff";
import type { Db, Tx } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import { DELIVERY_VIEW_SELECT, toDeliveryView, type DeliveryView } from "./list-deliveries";

/**
 * The customer replies already on a ticket about the accounts a reply speaks
 * of (decision 045): one reply per ticket and account, whatever its kind. A
 * reset's reply, a family reset's and the "create a new key" reply (no reset)
 * say different things ("now enabled", "already had them"), so once one of them
 * is on the ticket, another would contradict it: `own` is the reply this
 * subject already has (sent again only when it went dead), `other` the reply
 * of another subject that speaks of one of the same accounts, which refuses a
 * second. A reply speaks of the accounts it tells about: a new-key reply of
 * its account, a reset's or a family's of the accounts reset on that ticket.
 * A family's parent that was not reset is not one of them: the family's reply
 * says it "had them already", a true follow-up of the new-key reply.
 */
export interface TicketReplies {
  own: TicketReplyRow | null;
  other: TicketReplyRow | null;
  /**
   * For a reply without a reset: a reset of the account on this ticket, whose reply is the one to send
   * (it says what changed; "nothing needed to change" would not be true of this ticket).
   */
  resetOnTicket: { resetId: string; familyResetId: string | null } | null;
  /** Why this subject's reply may not be sent to this ticket; null: it may (or it is its own reply, sent again when dead). */
  refusal: AppError | null;
}

/** reply_already_sent: another reply about the same account is on the ticket; what it was and where to read it. */
export interface ReplyAlreadySentDetails {
  deliveryId: string;
  status: DeliveryView["status"];
  /** reset: a reset's reply; family: a family reset's; new_key_only: the "create a new key" reply, without a reset. */
  about: "reset" | "family" | "new_key_only";
  resetId: string | null;
  familyResetId: string | null;
  accountId: number | null;
  /** The console page that shows it (path). */
  path: string;
  /** The text sent (what reached the ticket, once delivered), or the text confirmed while it is on its way. */
  text: string;
  deliveredAt: string | null;
}

type TicketReplyRow = Awaited<ReturnType<typeof replyRows>>[number];

function replyRows(db: Db | Tx, ticketId: string, accountIds: number[], resetIds: string[], familyResetIds: string[]) {
  return db.helpdeskDelivery.findMany({
    where: {
      kind: "customer_reply",
      ticketId,
      // A reply without a reset by its account; a reset's or a family's by the resets of these accounts on this ticket.
      OR: [{ resetId: null, accountId: { in: accountIds } }, { resetId: { in: resetIds } }, { familyResetId: { in: familyResetIds } }],
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { ...DELIVERY_VIEW_SELECT, inFlightSince: true, ticketId: true },
  });
}

export async function findTicketReplies(
  db: Db | Tx,
  input: {
    ticketId: string;
    /** The accounts the reply tells about: the reset ones (a family's parent only when it was reset), or the one account. */
    accountIds: readonly number[];
    /** Which reply is this subject's own: the reset's (a family's anchor reset) or the account's without a reset. */
    own: { resetId: string } | { accountId: number };
    /** In the sending transaction: one send per ticket at a time, so two replies of different subjects cannot both pass. */
    lock?: boolean;
  },
): Promise<TicketReplies> {
  const { ticketId } = input;
  if (input.lock) await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`reply:ticket:${ticketId}`}, 0))`;
  const accountIds = [...new Set(input.accountIds)];
  const resets = await db.scopeReset.findMany({
    where: { ticketId, accountId: { in: accountIds } },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    select: { id: true, familyResetId: true, outcome: true },
  });
  const rows = await replyRows(
    db,
    ticketId,
    accountIds,
    resets.map((r) => r.id),
    [...new Set(resets.flatMap((r) => (r.familyResetId ? [r.familyResetId] : [])))],
  );
  const isOwn = (r: TicketReplyRow) =>
    "resetId" in input.own ? r.resetId === input.own.resetId : r.resetId === null && r.accountId === input.own.accountId;
  const others = rows.filter((r) => !isOwn(r));
  // The one the customer is most likely to have read: delivered first, then on its way, then dead.
  const other = others.find((r) => r.status === "delivered") ?? others.find((r) => r.status !== "dead") ?? others[0] ?? null;
  const done = "accountId" in input.own ? resets.find((r) => r.outcome === "succeeded") : undefined;
  const resetOnTicket = done ? { resetId: done.id, familyResetId: done.familyResetId } : null;
  return {
    own: rows.find(isOwn) ?? null,
    other,
    resetOnTicket,
    refusal: other ? alreadySentError(other) : resetOnTicket ? resetOnTicketError(ticketId, resetOnTicket) : null,
  };
}

/** conflict (a reply without a reset, on a ticket where the account was reset): the reset's page, whose reply to send. */
export interface ResetOnTicketDetails {
  resetId: string;
  familyResetId: string | null;
  path: string;
}

function resetOnTicketError(ticketId: string, reset: { resetId: string; familyResetId: string | null }): AppError {
  const path = reset.familyResetId ? `/family-resets/${reset.familyResetId}` : `/scope-resets/${reset.resetId}`;
  return new AppError(
    "conflict",
    `This account was reset for ticket #${ticketId}, so "nothing needed to change" would not be true there: send the reset's reply from ${path}, which says what changed.`,
    { ...reset, path } satisfies ResetOnTicketDetails,
  );
}

export function ticketReplyView(row: TicketReplyRow): DeliveryView {
  return toDeliveryView(row);
}

export function alreadySentDetails(row: TicketReplyRow): ReplyAlreadySentDetails {
  const about = row.familyResetId ? "family" : row.resetId ? "reset" : "new_key_only";
  return {
    deliveryId: row.id,
    status: row.status,
    about,
    resetId: row.resetId,
    familyResetId: row.familyResetId,
    accountId: row.accountId,
    path:
      about === "family"
        ? `/family-resets/${row.familyResetId}`
        : about === "reset"
          ? `/scope-resets/${row.resetId}`
          : `/accounts/${row.accountId}`,
    text: (row.status === "delivered" ? row.sentBody : null) ?? row.body,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}

/** Why a second reply is refused, in words: what was sent, when, and what to do instead. */
export function alreadySentError(row: TicketReplyRow): AppError {
  return new AppError("reply_already_sent", alreadySentMessage(row), { ...alreadySentDetails(row) });
}

export function alreadySentMessage(row: TicketReplyRow): string {
  const d = alreadySentDetails(row);
  const what =
    d.about === "family"
      ? "the family reset's reply"
      : d.about === "reset"
        ? "the reply of its scope reset"
        : 'the "create a new key" reply (no reset)';
  const state =
    row.status === "delivered"
      ? `was sent${row.deliveredAt ? ` at ${formatUtc(row.deliveredAt)}` : ""}`
      : row.status === "dead"
        ? "was sent and did not go through (it may still have reached the ticket): retry it from its page instead"
        : "is on its way";
  return (
    `A reply about this account is already on ticket #${row.ticketId}: ${what} ${state}. ` +
    `A second reply would contradict it; write any follow-up in the ticket yourself. Its text is on ${d.path}.`
  );
}
