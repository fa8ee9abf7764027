import "server-only";
import { getDb } from "@/lib/platform/db";

/**
 * Carries out one erasure job, as the worker's pg-boss handler: which worker
 * holds it, heartbeats and the takeover of a dead worker's job are pg-boss's
 * (lib/jobs/queues.ts). Erasure keeps each matching message_activity row but
 * sets every personal field (recipient e-mail and name, subject, categories,
 * IP) to NULL / empty and stamps erased_at and the job id: the sender's
 * message counts and times stay true, the person is gone. Addresses match
 * case-insensitively in full (decision 009). It runs in batches, each in one
 * transaction with the job's running count, so a crash loses at most one
 * uncommitted batch and the count stays exact. Running a job twice, even at
 * once, is harmless: erased rows no longer match any address.
 */

export interface EraseOutcome {
  id: string;
  status: "done" | "failed" | "skipped";
  recordsErased: number;
}

export interface EraseAttempt {
  /** The job's last try: a failure now marks the job failed. */
  finalAttempt: boolean;
  /** Who works it, shown in the console while it runs. */
  workerId: string;
  /** Rows erased per transaction. Default 2,000. */
  batchSize?: number;
  signal?: AbortSignal;
}

export async function runEraseJob(eraseJobId: string, attempt: EraseAttempt): Promise<EraseOutcome> {
  const db = getDb();
  const batchSize = attempt.batchSize ?? 2000;
  const [job] = await db.$queryRaw<{ target_id: number; addresses: string }[]>`
    UPDATE erase_job
    SET status = 'running', attempts = attempts + 1, locked_by = ${attempt.workerId}, locked_at = now(),
        heartbeat_at = now(), started_at = coalesce(started_at, now()), updated_at = now()
    WHERE id = ${eraseJobId}::uuid AND status IN ('queued', 'running')
    RETURNING coalesce(on_behalf_of_account_id, account_id) AS target_id, addresses`;
  // Done or failed already (a job sent twice, or redriven): nothing to do.
  if (!job) return { id: eraseJobId, status: "skipped", recordsErased: 0 };
  try {
    let total = 0;
    for (;;) {
      attempt.signal?.throwIfAborted();
      const erased = await db.$transaction(async (tx) => {
        const count = await tx.$executeRaw`
          UPDATE message_activity m
          SET recipient_email = NULL, recipient_name = NULL, subject = NULL, categories = ARRAY[]::text[], ip = NULL,
              erased_at = now(), erase_job_id = ${eraseJobId}::uuid
          WHERE m.id IN (
            SELECT id FROM message_activity
            WHERE account_id = ${job.target_id}
              AND recipient_email IS NOT NULL
              AND lower(recipient_email) = ANY(string_to_array(${job.addresses}, chr(10)))
            ORDER BY id
            LIMIT ${batchSize}
            FOR UPDATE
          )`;
        await tx.$executeRaw`
          UPDATE erase_job SET records_erased = records_erased + ${count}, heartbeat_at = now(), updated_at = now()
          WHERE id = ${eraseJobId}::uuid`;
        return count;
      });
      total += erased;
      if (erased < batchSize) break;
    }
    // The address list goes once the job is done: keeping a list of erased people would defeat the erasure.
    await db.$executeRaw`
      UPDATE erase_job SET status = 'done', finished_at = now(), updated_at = now(), heartbeat_at = now(),
        addresses = '', locked_by = NULL, last_error = NULL
      WHERE id = ${eraseJobId}::uuid`;
    return { id: eraseJobId, status: "done", recordsErased: total };
  } catch (error) {
    await recordEraseFailure(eraseJobId, String((error as Error)?.message ?? error), attempt.finalAttempt);
    if (attempt.finalAttempt) return { id: eraseJobId, status: "failed", recordsErased: 0 };
    throw error;
  }
}

/** Back to queued for the next try, or failed for good (the last try, or the dead-letter queue after a worker died on it). */
export async function recordEraseFailure(eraseJobId: string, message: string, final: boolean): Promise<void> {
  await getDb().$executeRaw`
      UPDATE erase_job SET status = ${final ? "failed" : "queued"}::erase_job_status, locked_by = NULL, updated_at = now(),
        finished_at = CASE WHEN ${final} THEN now() ELSE finished_at END,
        last_error = ${message.slice(0, 1000)}
      WHERE id = ${eraseJobId}::uuid AND status IN ('queued', 'running')`.catch(() => {});
}
