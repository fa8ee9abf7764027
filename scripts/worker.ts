/**
 * `npm run worker`: carries out queued Recipients' Data Erasure jobs
 * (lib/server/erasure/worker.ts). Run as many as you like, on any machine that
 * reaches the database. --once: process what is queued, then exit.
 * ERASE_WORKER_STALE_SECONDS (default 60): when a silent worker's job is taken over.
 *
 * Runs under tsx with the "react-server" condition (see package.json), so the
 * server-only modules it shares with the app load outside Next.
 */
import { hostname } from "node:os";
import { getConfig } from "../lib/config";
import { disconnectDb, getDb } from "../lib/server/db";
import { runWorkerLoop } from "../lib/server/erasure/worker";
import { getLogger } from "../lib/server/logger";
import { loadDotEnv } from "./lib/env";

loadDotEnv();
const once = process.argv.includes("--once");
const staleAfterSeconds = Number(process.env.ERASE_WORKER_STALE_SECONDS ?? 60);
if (!Number.isFinite(staleAfterSeconds) || staleAfterSeconds < 1) {
  console.error(`ERASE_WORKER_STALE_SECONDS must be a number of seconds ≥ 1 (got "${process.env.ERASE_WORKER_STALE_SECONDS}").`);
  process.exit(1);
}

getConfig(); // fail fast on a bad configuration
const log = getLogger().child({ component: "erase-worker" });
const workerId = `${hostname()}:${process.pid}`;
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    log.info({ workerId }, `${signal}: finishing the current batch, then stopping`);
    controller.abort();
  });
}

log.info({ workerId, once, staleAfterSeconds }, "erase worker started");
await runWorkerLoop(getDb(), {
  workerId,
  staleAfterSeconds,
  signal: controller.signal,
  exitWhenIdle: once,
  onOutcome: (o) => log.info({ workerId, jobId: o.id, status: o.status, recordsErased: o.recordsErased }, `erase job ${o.status}`),
  onError: (error) => log.error({ workerId, err: error }, "erase job failed; it will be retried"),
});
await disconnectDb();
log.info({ workerId }, "erase worker stopped");
