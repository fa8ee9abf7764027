/**
 * `npm run worker`: all of Scopedesk's background work, on pg-boss
 * (lib/jobs): delivering reset notes and customer replies into Zendesk, and
 * carrying out Recipients' Data Erasure jobs. Run as many as you like, on any
 * machine that reaches the database. --once: work what is queued, then exit.
 *
 * Runs under tsx with the "react-server" condition (see package.json), so the
 * server-only modules it shares with the app load outside Next.
 */
import { hostname } from "node:os";
import { getConfig } from "../lib/platform/config";
import { drainQueues, startWorker } from "../lib/jobs/run-worker";
import { disconnectDb } from "../lib/platform/db";
import { getLogger } from "../lib/platform/logger";
import { closePgPool } from "../lib/platform/pg-pool";
import { loadDotEnv } from "./lib/env";

loadDotEnv();
const once = process.argv.includes("--once");
const config = getConfig(); // fail fast on a bad configuration
const log = getLogger().child({ component: "worker" });
const workerId = `${hostname()}:${process.pid}`;
const options = { connectionString: config.databaseUrl, workerId, log };

if (once) {
  const worked = await drainQueues(options);
  log.info({ workerId, worked }, "queues drained");
  await Promise.allSettled([disconnectDb(), closePgPool()]);
} else {
  const worker = await startWorker(options);
  log.info({ workerId }, "worker started");
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log.info({ workerId }, `${signal}: finishing the jobs in hand, then stopping`);
      void worker
        .stop()
        .then(() => Promise.allSettled([disconnectDb(), closePgPool()]))
        .finally(() => {
          log.info({ workerId }, "worker stopped");
          process.exit(0);
        });
    });
  }
}
