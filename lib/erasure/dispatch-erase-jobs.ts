import "server-only";
import { fromPrisma, type PgBoss } from "pg-boss";
import { QUEUES } from "@/lib/jobs/queues";
import { getDb } from "@/lib/platform/db";

/** Jobs sent per pg-boss insert: one statement for a burst, small enough to hold its row locks briefly. */
export const ERASE_DISPATCH_BATCH = 500;

/** Dispatches until nothing waits (a burst larger than one batch takes several). */
export async function dispatchAllEraseJobs(boss: PgBoss): Promise<number> {
  let total = 0;
  for (let sent = ERASE_DISPATCH_BATCH; sent === ERASE_DISPATCH_BATCH;) {
    sent = await dispatchEraseJobs(boss);
    total += sent;
  }
  return total;
}

/**
 * The relay of the erasure outbox (docs/decisions/019-erase-jobs-dispatched-in-batches.md):
 * the request only inserts its erase_job row (./enqueue-erase-job.ts); the
 * worker sends the pg-boss jobs of rows not yet dispatched, up to `batchSize`
 * in one `insert`, and stamps them dispatched in the same transaction, so each
 * row gets its job exactly once however many workers relay at the same time
 * (SKIP LOCKED: a row another relay holds is left to it). The pg-boss job's id
 * is the erase job's own id, so even a second insert of it would be a no-op.
 * Returns how many jobs it sent.
 */
export async function dispatchEraseJobs(boss: PgBoss, opts: { batchSize?: number } = {}): Promise<number> {
  const batchSize = opts.batchSize ?? ERASE_DISPATCH_BATCH;
  const db = getDb();
  // The idle worker asks every second: a plain read first, so an empty outbox costs no transaction.
  const [waiting] = await db.$queryRaw<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM erase_job WHERE status IN ('queued', 'running') AND dispatched_at IS NULL) AS any`;
  if (!waiting?.any) return 0;
  return db.$transaction(async (tx) => {
    // Through erase_job_undispatched_idx: only rows still waiting, however many dispatched ones wait to be worked.
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM erase_job
      WHERE status IN ('queued', 'running') AND dispatched_at IS NULL
      ORDER BY created_at
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED`;
    if (rows.length === 0) return 0;
    const ids = rows.map((row) => row.id);
    await boss.insert(
      QUEUES.eraseRecipients,
      ids.map((id) => ({ id, data: { eraseJobId: id } })),
      { db: fromPrisma(tx) },
    );
    await tx.$executeRaw`UPDATE erase_job SET dispatched_at = now() WHERE id = ANY(${ids}::uuid[])`;
    return ids.length;
  });
}
