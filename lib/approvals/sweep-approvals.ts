import "server-only";
import { getDb } from "@/lib/platform/db";
import { getLogger } from "@/lib/platform/logger";
import { currentDrift, endApproval, isPastExpiry, lockApproval, SCOPEDESK_ACTOR } from "./approval-record";

/** Requests looked at per run: a minute's worth, bounded so a run never grows with a backlog. */
const BATCH = 200;
/** An execution claimed this recently is left alone: its reset's own transaction decides. */
const CLAIM_GRACE_MS = 2 * 60_000;

/**
 * The worker's minute job: live requests past their time are marked expired,
 * and those whose account changed since the request are marked void (with
 * what changed), each with its audit event and ticket note, so the ticket and
 * the queue say so even when nobody opens the request. Reads and decisions
 * enforce both on their own; this makes it happen without them. Each request
 * in its own short transaction under its row lock (skipped when someone
 * holds it).
 */
export async function sweepApprovals(now = new Date()): Promise<{ expired: number; voided: number }> {
  const db = getDb();
  const meta = { requestId: `sweep:${now.toISOString()}`, ip: null, userAgent: null };
  const live = await db.resetApproval.findMany({
    where: { state: { in: ["pending", "approved"] } },
    orderBy: { createdAt: "asc" },
    take: BATCH,
  });
  let expired = 0;
  let voided = 0;
  for (const candidate of live) {
    const claimed = candidate.executingSince !== null && now.getTime() - candidate.executingSince.getTime() < CLAIM_GRACE_MS;
    if (claimed) continue;
    try {
      if (isPastExpiry(candidate, now)) {
        const done = await db.$transaction(async (tx) => {
          const locked = await tx.$queryRaw<
            { id: string }[]
          >`SELECT id FROM reset_approval WHERE id = ${candidate.id}::uuid FOR UPDATE SKIP LOCKED`;
          if (locked.length === 0) return false;
          return endApproval(tx, await lockApproval(tx, candidate.id), "expired", { actor: SCOPEDESK_ACTOR, meta });
        });
        if (done) expired++;
        continue;
      }
      const changes = await currentDrift(db, candidate);
      if (!changes) continue;
      const done = await db.$transaction(async (tx) => {
        const locked = await tx.$queryRaw<
          { id: string }[]
        >`SELECT id FROM reset_approval WHERE id = ${candidate.id}::uuid FOR UPDATE SKIP LOCKED`;
        if (locked.length === 0) return false;
        const row = await lockApproval(tx, candidate.id);
        if (row.executingSince !== null && now.getTime() - row.executingSince.getTime() < CLAIM_GRACE_MS) return false;
        return endApproval(tx, row, "voided", { actor: SCOPEDESK_ACTOR, meta, changes });
      });
      if (done) voided++;
    } catch (error) {
      getLogger().error({ err: error, approvalId: candidate.id }, "approval sweep: one request could not be checked");
    }
  }
  if (expired + voided > 0) getLogger().info({ expired, voided }, "approval sweep");
  return { expired, voided };
}
