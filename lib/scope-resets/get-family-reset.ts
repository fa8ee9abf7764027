import "server-only";
import { AppError } from "@/lib/platform/errors";
import { getDb } from "@/lib/platform/db";
import { ticketPath } from "@/lib/tickets/ticket-ref";

/**
 * A family reset as its summary page shows it: every attempt recorded under
 * its id (parent first, then the subusers), each with its outcome and link.
 */
export async function getFamilyReset(familyResetId: string) {
  const attempts = await getDb().scopeReset.findMany({
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
  };
}

export type FamilyResetView = Awaited<ReturnType<typeof getFamilyReset>>;
