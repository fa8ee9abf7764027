import "server-only";
import { AppError } from "@/lib/platform/errors";
import { getDb } from "@/lib/platform/db";
import { helpdeskConnection } from "@/lib/helpdesk/get-zendesk";
import { listDeliveries } from "@/lib/helpdesk/list-deliveries";
import { ticketPath } from "@/lib/tickets/ticket-ref";
import { findApprovalOfReset } from "@/lib/approvals/find-approval-of-reset";
import { getReplyView } from "./get-reply-view";
import { toNote } from "./reset-facts";

/**
 * A family reset as its summary page shows it: every attempt recorded under
 * its id (parent first, then the subusers), each with its outcome and link;
 * the family's one note pair and its delivery into the ticket; the one reply
 * to the customer, drafted from the accounts as they are now for `viewer`.
 */
export async function getFamilyReset(familyResetId: string, viewer: { name: string }) {
  const db = getDb();
  const attempts = await db.scopeReset.findMany({
    where: { familyResetId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      outcome: true,
      mode: true,
      createdAt: true,
      actorName: true,
      ticketId: true,
      ticketUrl: true,
      added: true,
      removed: true,
      failureReason: true,
      account: { select: { id: true, username: true, parentId: true } },
    },
  });
  const first = attempts[0];
  if (!first) throw new AppError("not_found", `No family reset with id ${familyResetId}.`);
  const [notes, deliveries, reply] = await Promise.all([
    db.ticketNote.findMany({
      where: { familyResetId },
      orderBy: [{ createdAt: "asc" }, { kind: "asc" }],
      select: { id: true, kind: true, body: true, authorName: true, createdAt: true },
    }),
    listDeliveries(db, { familyResetId }),
    getReplyView({ kind: "family", familyResetId }, viewer),
  ]);
  return {
    id: familyResetId,
    ticket: { ticketId: first.ticketId, url: first.ticketUrl, path: ticketPath(first.ticketId) },
    actorName: first.actorName,
    attempts: attempts.map((a) => ({
      id: a.id,
      outcome: a.outcome,
      mode: a.mode,
      createdAt: a.createdAt.toISOString(),
      account: {
        id: a.account.id,
        username: a.account.username,
        role: a.account.parentId === null ? ("parent" as const) : ("subuser" as const),
      },
      addedCount: a.added.length,
      removedCount: a.removed.length,
      failureReason: a.failureReason,
    })),
    notes: {
      before: toNote(notes.find((n) => n.kind === "scopes_before")),
      after: toNote(notes.find((n) => n.kind === "scopes_after")),
    },
    /** The family's note pair as delivered (or being delivered) into the ticket. */
    deliveries: deliveries.filter((d) => d.kind !== "customer_reply"),
    reply,
    helpdesk: { connected: helpdeskConnection().connected },
    /** The approval it was carried out under (decision 040), if it needed one. */
    approval: await findApprovalOfReset(db, { familyResetId }),
  };
}

export type FamilyResetView = Awaited<ReturnType<typeof getFamilyReset>>;
