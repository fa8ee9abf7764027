import "server-only";
import type { Db, Tx } from "@/lib/platform/db";

/** The approval a reset (or a family reset) was carried out under, for its result page; null when it needed none. */
export async function findApprovalOfReset(
  db: Db | Tx,
  which: { resetId: string; familyResetId: string | null } | { familyResetId: string },
) {
  const row = await db.resetApproval.findFirst({
    where: {
      state: "executed",
      OR: [
        ...("resetId" in which ? [{ resetId: which.resetId }] : []),
        ...(which.familyResetId ? [{ familyResetId: which.familyResetId }] : []),
      ],
    },
    select: { id: true, requestedByName: true, decidedByName: true, decidedAt: true },
  });
  return (
    row && { id: row.id, requestedBy: row.requestedByName, approvedBy: row.decidedByName, approvedAt: row.decidedAt?.toISOString() ?? null }
  );
}

export type ApprovalOfReset = Awaited<ReturnType<typeof findApprovalOfReset>>;
