import "server-only";
import { getDb } from "@/lib/platform/db";
import { RESET_ROW_COLUMNS, toNote } from "./reset-facts";

const HISTORY_LIMIT = 50;

/** The account page's reset history and admin notes, newest first. */
export async function getAccountHistory(accountId: number) {
  const db = getDb();
  const [resets, adminNotes] = await Promise.all([
    db.scopeReset.findMany({
      where: { accountId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: HISTORY_LIMIT,
      select: RESET_ROW_COLUMNS,
    }),
    db.adminNote.findMany({
      where: { accountId },
      orderBy: { createdAt: "desc" },
      take: HISTORY_LIMIT,
      select: { id: true, body: true, authorName: true, createdAt: true, ticketId: true, ticketUrl: true, resetId: true },
    }),
  ]);
  return {
    resets: resets.map((r) => ({
      id: r.id,
      outcome: r.outcome,
      actorName: r.actorName,
      createdAt: r.createdAt.toISOString(),
      ticketId: r.ticketId,
      ticketUrl: r.ticketUrl,
      addedCount: r.added.length,
      removedCount: r.removed.length,
      failureReason: r.failureReason,
    })),
    adminNotes: adminNotes.map((n) => ({ ...toNote(n)!, ticketId: n.ticketId, ticketUrl: n.ticketUrl, resetId: n.resetId })),
  };
}
