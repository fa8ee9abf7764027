import "server-only";
import { PgBoss, type JobWithMetadata } from "pg-boss";
import type pino from "pino";
import { dispatchAllEraseJobs } from "@/lib/erasure/dispatch-erase-jobs";
import { bossOptions } from "./boss";
import { HANDLERS, type HandlerContext } from "./handlers";
import { getConfig } from "@/lib/platform/config";
import { checkpointCron, QUEUES, SCHEDULES, type QueueName } from "./queues";

/**
 * `npm run worker`: works every queue on pg-boss. Any number of workers may
 * run on any machine that reaches the database; pg-boss gives each job to one
 * of them, keeps it alive with heartbeats while its handler runs, gives it to
 * another when those stop, retries with backoff and dead-letters it when the
 * tries run out (lib/jobs/queues.ts).
 */

/**
 * How each worker loop waits between fetches. pg-boss wakes workers by
 * NOTIFY when a job is sent, and otherwise waits `notifyPollingIntervalSeconds`
 * (30 s by default) after every job, even with a backlog: a burst of 400 resets
 * drained at 4 jobs per 30 s. So: fetch again at once while the last fetch
 * found a job and the queue still holds more (burst), and poll every 2 s as the
 * backstop when a notification is missed.
 */
const POLLING = { pollingIntervalSeconds: 2, notifyPollingIntervalSeconds: 2, burstWhenReadyExceeds: 1 } as const;

/** Jobs worked at once per queue and process. Deliveries wait on Zendesk; erasure on Postgres. */
const CONCURRENCY: Record<QueueName, number> = {
  [QUEUES.deliverResetNotes]: 4,
  [QUEUES.sendCustomerReply]: 2,
  [QUEUES.deliveryDead]: 1,
  [QUEUES.eraseRecipients]: 2,
  [QUEUES.eraseDead]: 1,
  [QUEUES.pruneRateLimits]: 1,
  [QUEUES.triageTicket]: 4,
  [QUEUES.triageDead]: 1,
  [QUEUES.pruneReplayGuard]: 1,
  [QUEUES.verifyAuditChain]: 1,
  [QUEUES.signAuditCheckpoint]: 1,
  [QUEUES.deliverApprovalNotes]: 2,
  [QUEUES.sweepApprovals]: 1,
};

/** How often the worker looks for erase jobs to dispatch: the old erase loop's poll, so a job starts as soon as it did. */
const ERASE_RELAY_INTERVAL_MS = 1000;

/**
 * The erasure outbox's relay (lib/erasure/dispatch-erase-jobs.ts, decision
 * 019), one loop per worker: one timer at a time, each set after the last
 * dispatch finished and cleared on stop, so an idle worker accumulates nothing
 * (no listener, no promise) however long it runs. A failed dispatch (the
 * database away) is logged and tried again at the next tick.
 */
function startEraseRelay(boss: PgBoss, log: pino.Logger): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      const sent = await dispatchAllEraseJobs(boss);
      if (sent > 0) log.info({ queue: QUEUES.eraseRecipients, sent }, "erase jobs dispatched");
    } catch (error) {
      log.warn({ err: error }, "dispatching erase jobs failed; trying again");
    }
    if (!stopped) timer = setTimeout(() => (inFlight = tick()), ERASE_RELAY_INTERVAL_MS);
  };
  inFlight = tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

export interface RunningWorker {
  stop(): Promise<void>;
}

export async function startWorker(opts: { connectionString: string; workerId: string; log: pino.Logger }): Promise<RunningWorker> {
  const boss = new PgBoss({ ...bossOptions(opts.connectionString, "worker"), schedule: true });
  boss.on("error", (error) => opts.log.error({ err: error }, "pg-boss error"));
  boss.on("warning", (warning) => opts.log.warn({ warning }, "pg-boss warning"));
  await boss.start();
  const ctx: HandlerContext = { workerId: opts.workerId };
  for (const name of Object.values(QUEUES)) {
    await boss.work<unknown>(
      name,
      { includeMetadata: true, batchSize: 1, localConcurrency: CONCURRENCY[name], ...POLLING },
      async ([job]) => {
        const outcome = await HANDLERS[name](job as never, ctx);
        opts.log.info({ queue: name, jobId: job!.id, retryCount: job!.retryCount, outcome }, "job done");
        return outcome;
      },
    );
  }
  for (const { name, cron } of SCHEDULES) await boss.schedule(name, cron, {});
  // Signed checkpoints of the audit chain (decision 036); without a key (development) there is nothing to sign with.
  const audit = getConfig().audit;
  if (audit.signingKey) await boss.schedule(QUEUES.signAuditCheckpoint, checkpointCron(audit.checkpointMinutes), {});
  else {
    await boss.unschedule(QUEUES.signAuditCheckpoint);
    opts.log.warn("AUDIT_SIGNING_KEY is not set: the audit chain's checkpoints are not signed");
  }
  const relay = startEraseRelay(boss, opts.log);
  return {
    async stop() {
      await relay.stop();
      await boss.stop({ graceful: true, timeout: 30_000 });
    },
  };
}

/**
 * `npm run worker -- --once`: works what is queued now, then returns (tests,
 * one-off runs). A job that fails goes back to pg-boss for its retry later.
 */
export async function drainQueues(opts: { connectionString: string; workerId: string; log: pino.Logger }): Promise<number> {
  const boss = new PgBoss(bossOptions(opts.connectionString, "worker"));
  boss.on("error", (error) => opts.log.error({ err: error }, "pg-boss error"));
  await boss.start();
  const ctx: HandlerContext = { workerId: opts.workerId };
  let worked = 0;
  try {
    for (let progress = true; progress;) {
      // Erase jobs waiting in the outbox get their pg-boss jobs first, as the running worker's relay would.
      progress = (await dispatchAllEraseJobs(boss)) > 0;
      for (const name of Object.values(QUEUES)) {
        for (;;) {
          const [job] = (await boss.fetch(name, { includeMetadata: true, batchSize: 1 })) as JobWithMetadata[];
          if (!job) break;
          progress = true;
          worked++;
          try {
            const outcome = await HANDLERS[name](job as never, ctx);
            await boss.complete(name, job.id, { outcome });
            opts.log.info({ queue: name, jobId: job.id, outcome }, "job done");
          } catch (error) {
            await boss.fail(name, job.id, { message: error instanceof Error ? error.message : String(error) });
            opts.log.warn({ queue: name, jobId: job.id, err: error }, "job failed; pg-boss retries it later");
          }
        }
      }
    }
  } finally {
    await boss.stop({ graceful: true, timeout: 10_000 });
  }
  return worked;
}
