/**
 * The production server (`npm start`): the one HTTP pipeline (lib/http,
 * Hono on @hono/node-server) answers /api and /v3 before Next sees the
 * request, and Next renders the pages (and Auth.js's /api/auth). Why:
 * docs/decisions/007-v3-beside-next.md and 011-one-http-pipeline-on-hono.md.
 * `next dev` mounts the same pipeline in the catch-all route handlers.
 *
 * Runs under `node --conditions=react-server --import tsx` (see
 * scripts/lib/app-server.ts): the condition makes `server-only` resolve to
 * its no-op, as it does inside Next's server bundles.
 *
 * Options: --port <n> (default $PORT or 3000), --hostname <h> (default $HOSTNAME or all interfaces),
 * --workers <n> (default $WEB_CONCURRENCY or 1): that many server processes share the port (node:cluster),
 * so one machine's cores all serve requests; every state that must be shared (rate limits, the audit
 * chain, jobs) lives in Postgres, and the in-process caches hold only immutable data.
 */
import cluster from "node:cluster";
import { createServer } from "node:http";

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const port = Number(option("port") ?? process.env.PORT ?? 3000);
const hostname = option("hostname") ?? process.env.HOSTNAME ?? undefined;
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`--port must be a TCP port, not ${option("port") ?? process.env.PORT}`);
  process.exit(2);
}
(process.env as Record<string, string | undefined>).NODE_ENV ??= "production";
const workers = Number(option("workers") ?? process.env.WEB_CONCURRENCY ?? 1);
if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
  console.error(`--workers must be a whole number from 1 to 64, not ${option("workers") ?? process.env.WEB_CONCURRENCY}`);
  process.exit(2);
}

if (workers > 1 && cluster.isPrimary) {
  let stopping = false;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (worker, code) => {
    if (stopping) return;
    console.error(`server worker ${worker.process.pid} exited (${code}); starting another`);
    cluster.fork();
  });
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    cluster.on("exit", () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on("SIGTERM", () => stopAll("SIGTERM"));
  process.on("SIGINT", () => stopAll("SIGINT"));
} else {
  await serve();
}

async function serve(): Promise<void> {
  // Loaded here, not at the top: a cluster primary only forks and never needs Next in its memory.
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: process.cwd(), hostname: hostname ?? "localhost", port });
  const handleWithNext = app.getRequestHandler();
  await app.prepare();
  // Loaded after Next has read the configuration and run instrumentation (which refuses a bad one).
  const { getHttpApp, isPipelinePath } = await import("../lib/http/app");
  const { answerUnservablePage } = await import("../lib/http/page-guard");
  const { disconnectDb } = await import("../lib/platform/db");
  const { requestMetaOf, withRequestMeta } = await import("../lib/platform/request-meta");
  const { getRequestListener } = await import("@hono/node-server");
  // Not overriding the global Request/Response: Next shares this process.
  const serveWithPipeline = getRequestListener(getHttpApp().fetch, { overrideGlobalObjects: false });

  const server = createServer((req, res) => {
    if (isPipelinePath(req.url)) void serveWithPipeline(req, res);
    else if (!answerUnservablePage(req, res)) {
      // Auth.js's sign-in and sign-out are audited with the same address and request id rules as /api.
      const meta = requestMetaOf(req.socket.remoteAddress, { get: (name) => req.headers[name]?.toString() });
      void withRequestMeta(meta, () => handleWithNext(req, res));
    }
  });
  server.listen(port, hostname, () => {
    console.log(`Scopedesk listening on http://${hostname ?? "localhost"}:${port}`);
  });

  let stopping = false;
  async function stop(signal: string) {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing`);
    server.closeIdleConnections();
    server.close();
    await Promise.allSettled([app.close(), disconnectDb()]);
    process.exit(0);
  }
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
