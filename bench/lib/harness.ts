/**
 * What every benchmark needs: a local benchmark database (never the demo or
 * test one), the production build served by `next start` with the development
 * identity provider, real sign-in, latency statistics, the server's memory,
 * and results written to bench/results.
 *
 * BENCH_DATABASE_URL reaches the database as a superuser: the harness sets up
 * the owner and app roles (decision 014), seeds and measures direct SQL
 * through it, and runs the app as the app role, as in production.
 */
import { appServerCommand } from "../../scripts/lib/app-server";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import type { ChildProcess } from "node:child_process";
import { generateAuditSigningKeyPem } from "../../lib/audit/signing-key";
import { loadConfig } from "../../lib/platform/config";
import { startDevIdp } from "../../scripts/dev-idp/provider";
import { APP_ROLE, asRole, setUpLocalDatabase } from "../../scripts/lib/database-roles";
import { databaseName, isLocalDatabase, redact, withPg } from "../../scripts/lib/postgres";
import { assertPortFree, run, startProcess, waitForHttp } from "../../scripts/lib/processes";
import { signIn } from "../../tests/support/http-session";

export const DEFAULT_BENCH_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/scopedesk_bench";

/** Refuses anything but a local database that is neither the demo's nor the tests'. */
export async function prepareBenchDatabase(databaseUrl: string): Promise<void> {
  if (!isLocalDatabase(databaseUrl)) throw new Error(`The benchmark only runs against a local database, not ${redact(databaseUrl)}.`);
  const forbidden = new Set([
    databaseName(loadConfig({ SCOPEDESK_ENV: "development" }).databaseUrl),
    "scopedesk_test",
    databaseName(process.env.DATABASE_URL ?? "postgresql://x/scopedesk"),
  ]);
  const name = databaseName(databaseUrl);
  if (forbidden.has(name) || name.startsWith("scopedesk_test")) {
    throw new Error(`The benchmark never touches the demo or test databases (${name}); set BENCH_DATABASE_URL to a database of its own.`);
  }
  // Creates the roles, and hands a benchmark database made before them to the owner role (its million rows are kept).
  await setUpLocalDatabase(databaseUrl);
}

export interface Stack {
  baseUrl: string;
  app: ChildProcess;
  worker: ChildProcess | null;
  stop(): Promise<void>;
}

export async function startStack(options: {
  databaseUrl: string;
  port: number;
  idpPort: number;
  distDir: string;
  skipBuild: boolean;
  /** Extra Node flags for the server, e.g. --cpu-prof to see where its time goes. */
  nodeArgs?: string[];
  /** Extra environment for the app (and the worker), e.g. a helpdesk to deliver notes to. */
  env?: Record<string, string>;
  /** Also run `npm run worker` beside the app, as production would. */
  worker?: boolean;
}): Promise<Stack> {
  const baseUrl = `http://localhost:${options.port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SCOPEDESK_ENV: "development",
    NODE_ENV: "production",
    DATABASE_URL: asRole(options.databaseUrl, APP_ROLE),
    // A fresh secret per run, as the test runner does: no session outlives it.
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    AUDIT_SIGNING_KEY: Buffer.from(generateAuditSigningKeyPem()).toString("base64"),
    NEXT_DIST_DIR: options.distDir,
    NEXT_TELEMETRY_DISABLED: "1",
    DEV_IDP_PORT: String(options.idpPort),
    AUTH_URL: baseUrl,
    AUTH_TRUST_HOST: "true",
    LOG_LEVEL: "warn",
    ...options.env,
  };
  if (!options.skipBuild || !existsSync(`${options.distDir}/BUILD_ID`)) {
    const started = performance.now();
    const code = await run("npx", ["next", "build"], { env });
    if (code !== 0) throw new Error("next build failed");
    console.log(`next build: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  await assertPortFree(options.port, "benchmark app");
  await assertPortFree(options.idpPort, "benchmark identity provider");
  const idp = await startDevIdp({ port: options.idpPort, redirectUris: [`${baseUrl}/api/auth/callback/scopedesk`] });
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles any benchmark's server.
  const extraNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const app = startProcess("app", ...appServerCommand(options.port, [...(options.nodeArgs ?? []), ...extraNodeArgs]), {
    env,
    quiet: true,
  });
  await waitForHttp(`${baseUrl}/api/health`, 90_000);
  const worker = options.worker
    ? startProcess("worker", process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"], { env, quiet: true })
    : null;
  return {
    baseUrl,
    app,
    worker,
    async stop() {
      if (worker && worker.exitCode === null) {
        const gone = new Promise((resolve) => worker.once("exit", resolve));
        worker.kill("SIGTERM");
        await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      }
      // Waits for the server to exit, so a --cpu-prof profile is written before the benchmark ends.
      const exited = app.exitCode !== null ? Promise.resolve() : new Promise((resolve) => app.once("exit", resolve));
      app.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      await idp.close();
    },
  };
}

export async function sessionCookie(baseUrl: string, email: string): Promise<string> {
  return (await signIn(email, "scopedesk", baseUrl)).cookie;
}

/** Resident memory of a process and its descendants, in MB (Linux /proc). */
export function rssMb(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      total += match ? Number(match[1]) : 0;
    } catch {
      // gone
    }
    queue.push(...(children.get(pid) ?? []));
  }
  return total / 1024;
}

/** Samples a server's memory every 50 ms until stopped; returns the peak. */
export function watchPeakMemory(pid: number): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid));
    },
  };
}

export interface LatencySummary {
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  throughput: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(latenciesMs: number[], errors: number, elapsedMs: number): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    errors,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    throughput: round((sorted.length / elapsedMs) * 1000),
  };
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * Runs `count` calls of `task(i)` with `concurrency` in flight and times each.
 * A closed loop in this process: fine for write scenarios that need a distinct
 * body per request (autocannon is used for the read scenarios).
 */
export async function closedLoop(count: number, concurrency: number, task: (i: number) => Promise<boolean>): Promise<LatencySummary> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        const ok = await task(i).catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  return summarize(latencies, errors, performance.now() - started);
}

export { withPg };

export async function machineDescription(databaseUrl: string): Promise<Record<string, string | number>> {
  const postgres = await withPg(
    databaseUrl,
    async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v,
  );
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGb: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    postgres,
    os: `${os.type()} ${os.release()}`,
  };
}

export function writeResults(name: string, json: unknown, markdown: string): { jsonPath: string; mdPath: string } {
  mkdirSync("bench/results", { recursive: true });
  const day = new Date().toISOString().slice(0, 10);
  const jsonPath = `bench/results/${name}-${day}.json`;
  const mdPath = `bench/results/${name}-${day}.md`;
  writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(mdPath, markdown);
  return { jsonPath, mdPath };
}
