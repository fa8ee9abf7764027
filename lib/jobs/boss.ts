import "server-only";
import { fromPrisma, PgBoss, type ConstructorOptions } from "pg-boss";
import { getConfig } from "@/lib/platform/config";
import type { Tx } from "@/lib/platform/db";
import { getLogger } from "@/lib/platform/logger";
import { BOSS_SCHEMA, type JobData, type QueueName } from "./queues";

/**
 * The process's pg-boss instance. The app only sends jobs (inside its own
 * transactions); `npm run worker` works them (scripts/worker.ts). Neither
 * creates or migrates pg-boss's schema: the migration step does, as the
 * owner role (scripts/lib/migrate.ts), so the app's role needs no DDL.
 */
const holder = globalThis as unknown as { __scopedeskBoss?: Promise<PgBoss> };

export function bossOptions(connectionString: string, role: "sender" | "worker"): ConstructorOptions {
  return {
    connectionString,
    schema: BOSS_SCHEMA,
    migrate: false,
    createSchema: false,
    // Only workers run maintenance, the scheduler and LISTEN; a sender keeps a small pool.
    supervise: role === "worker",
    schedule: false,
    useListenNotify: role === "worker",
    // How soon a dead worker's job is noticed: its heartbeat deadline plus at most this (WORKER_TAKEOVER_BOUND_SECONDS).
    ...(role === "worker" ? { superviseIntervalSeconds: 5, monitorIntervalSeconds: 5 } : {}),
    // How fresh the worker's view of each queue's backlog is, which decides when it fetches without pausing (run-worker.ts).
    ...(role === "worker" ? { queueCacheIntervalSeconds: 5 } : {}),
    max: role === "worker" ? 10 : 4,
    application_name: `scopedesk-${role}`,
  };
}

export function getBoss(): Promise<PgBoss> {
  holder.__scopedeskBoss ??= (async () => {
    const boss = new PgBoss(bossOptions(getConfig().databaseUrl, "sender"));
    boss.on("error", (error) => getLogger().error({ err: error }, "pg-boss error"));
    return boss.start();
  })().catch((error: unknown) => {
    holder.__scopedeskBoss = undefined;
    throw error;
  });
  return holder.__scopedeskBoss;
}

/**
 * Enqueues a job inside the caller's transaction (outbox): it exists exactly
 * when the change that causes it commits, and a rolled-back change leaves no job.
 */
export async function enqueueInTransaction<Q extends QueueName>(
  tx: Tx,
  queue: Q,
  data: JobData[Q],
  options: { startAfter?: Date | number } = {},
): Promise<string> {
  const boss = await getBoss();
  const id = await boss.send(queue, data, { ...options, db: fromPrisma(tx) });
  if (!id) throw new Error(`pg-boss did not queue the ${queue} job`);
  return id;
}

export async function stopBoss(): Promise<void> {
  const boss = await holder.__scopedeskBoss?.catch(() => undefined);
  holder.__scopedeskBoss = undefined;
  await boss?.stop({ graceful: true, timeout: 10_000 });
}
