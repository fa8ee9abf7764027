import "server-only";
import type { Db } from "../db";
import { pruneRateLimitWindows } from "../v3/rate-limit";

/**
 * Carries out erasure jobs. Any number of workers may run: each takes the
 * oldest open job with FOR UPDATE SKIP LOCKED, so no two take the same one.
 * A job whose worker stopped sending heartbeats (crashed, killed) is taken
 * again after `staleAfterSeconds`.
 *
 * Erasure keeps each matching message_activity row but sets every personal
 * field (recipient e-mail and name, subject, categories, IP) to NULL / empty
 * and stamps erased_at and the job id: the sender's message counts and times
 * stay true, the person is gone. It runs in batches, each in one transaction
 * with the job's heartbeat and running count, so a crash loses at most one
 * uncommitted batch and the count stays exact. Running a job twice is
 * harmless: erased rows no longer match any address.
 */

export interface WorkerOptions {
  workerId: string;
  /** A running job without a heartbeat for this long is taken over. Default 60. */
  staleAfterSeconds?: number;
  /** Rows erased per transaction. Default 2,000. */
  batchSize?: number;
  /** Attempts before a job is marked failed. Default 5. */
  maxAttempts?: number;
}

export interface JobOutcome {
  id: string;
  status: "done" | "failed" | "lost";
  recordsErased: number;
}

interface ClaimedJob {
  id: string;
  account_id: number;
  target_id: number;
  /** One per line. */
  addresses: string;
  attempts: number;
}

/** Takes the next open job (queued, or running with a stale heartbeat) for this worker. */
export async function claimNextJob(db: Db, opts: WorkerOptions): Promise<ClaimedJob | null> {
  const stale = opts.staleAfterSeconds ?? 60;
  const [job] = await db.$queryRaw<ClaimedJob[]>`
    UPDATE erase_job j
    SET status = 'running', attempts = j.attempts + 1, locked_by = ${opts.workerId}, locked_at = now(),
        heartbeat_at = now(), started_at = coalesce(j.started_at, now()), updated_at = now()
    FROM (
      SELECT id FROM erase_job
      WHERE status = 'queued'
         OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => ${stale}))
      ORDER BY created_at, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    ) next
    WHERE j.id = next.id
    RETURNING j.id::text, j.account_id, coalesce(j.on_behalf_of_account_id, j.account_id) AS target_id, j.addresses, j.attempts`;
  return job ?? null;
}

/** Erases one claimed job's recipients' data. */
export async function runJob(db: Db, job: ClaimedJob, opts: WorkerOptions): Promise<JobOutcome> {
  const maxAttempts = opts.maxAttempts ?? 5;
  const batchSize = opts.batchSize ?? 2000;
  if (job.attempts > maxAttempts) {
    await db.$executeRaw`
      UPDATE erase_job SET status = 'failed', finished_at = now(), updated_at = now(), locked_by = NULL,
        last_error = coalesce(last_error, '') || ${`gave up after ${maxAttempts} attempts`}
      WHERE id = ${job.id}::uuid AND locked_by = ${opts.workerId}`;
    return { id: job.id, status: "failed", recordsErased: 0 };
  }
  try {
    let total = 0;
    for (;;) {
      const batch = await db.$transaction(async (tx) => {
        // Still ours? Another worker may have taken it over after a long pause.
        const [owned] = await tx.$queryRaw<{ id: string }[]>`
          SELECT id::text FROM erase_job WHERE id = ${job.id}::uuid AND locked_by = ${opts.workerId} AND status = 'running' FOR UPDATE`;
        if (!owned) return null;
        const erased = await tx.$executeRaw`
          UPDATE message_activity m
          SET recipient_email = NULL, recipient_name = NULL, subject = NULL, categories = ARRAY[]::text[], ip = NULL,
              erased_at = now(), erase_job_id = ${job.id}::uuid
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
          UPDATE erase_job SET records_erased = records_erased + ${erased}, heartbeat_at = now(), updated_at = now()
          WHERE id = ${job.id}::uuid`;
        return erased;
      });
      if (batch === null) return { id: job.id, status: "lost", recordsErased: total };
      total += batch;
      if (batch < batchSize) break;
    }
    const finished = await db.$executeRaw`
      UPDATE erase_job SET status = 'done', finished_at = now(), updated_at = now(), heartbeat_at = now(),
        addresses = '', locked_by = NULL, last_error = NULL
      WHERE id = ${job.id}::uuid AND locked_by = ${opts.workerId} AND status = 'running'`;
    return { id: job.id, status: finished === 1 ? "done" : "lost", recordsErased: total };
  } catch (error) {
    // Back in the queue for another attempt (or, past maxAttempts, failed on the next claim).
    await db.$executeRaw`
      UPDATE erase_job SET status = 'queued', locked_by = NULL, updated_at = now(),
        last_error = ${String((error as Error)?.message ?? error).slice(0, 1000)}
      WHERE id = ${job.id}::uuid AND locked_by = ${opts.workerId}`.catch(() => {});
    throw error;
  }
}

/** Claims and runs one job; null when the queue is empty. */
export async function processNextJob(db: Db, opts: WorkerOptions): Promise<JobOutcome | null> {
  const job = await claimNextJob(db, opts);
  return job ? runJob(db, job, opts) : null;
}

export interface LoopOptions extends WorkerOptions {
  signal: AbortSignal;
  /** Sleep between polls of an empty queue. Default 1,000 ms. */
  idleMs?: number;
  /** Return once the queue is empty (for tests and one-off runs). */
  exitWhenIdle?: boolean;
  onOutcome?: (outcome: JobOutcome) => void;
  onError?: (error: unknown) => void;
}

export async function runWorkerLoop(db: Db, opts: LoopOptions): Promise<void> {
  let lastPrune = 0;
  while (!opts.signal.aborted) {
    let outcome: JobOutcome | null = null;
    try {
      if (Date.now() - lastPrune > 60_000) {
        lastPrune = Date.now();
        await pruneRateLimitWindows(db);
      }
      outcome = await processNextJob(db, opts);
      if (outcome) opts.onOutcome?.(outcome);
    } catch (error) {
      opts.onError?.(error);
    }
    if (outcome) continue;
    if (opts.exitWhenIdle) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, opts.idleMs ?? 1000);
      opts.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}
