/**
 * `npm run bench:reset`: Reset Scopes through the JSON API of the production
 * build, 200 resets on distinct accounts one at a time and 200 more with 20 in
 * flight. Reports the client-observed latency (median, p95, p99, resets/s) and
 * the server's own transaction time recorded in each reset (duration_ms).
 *
 * Database: BENCH_DATABASE_URL (default scopedesk_bench; never the demo or test
 * one), seeded with SEED_ACCOUNTS (default 20,000) if empty. Ports BENCH_PORT
 * (default 3450) and the next one; build in .next-bench (--skip-build reuses it).
 * Not part of `npm test`; figures are of one machine on one day.
 */
import { randomUUID } from "node:crypto";
import { loadConfig } from "../lib/platform/config";
import { onShutdown } from "../scripts/lib/processes";
import { seedDatabase, seedSettingsFromEnv } from "../scripts/lib/seed/seed-database";
import {
  closedLoop,
  DEFAULT_BENCH_DATABASE_URL,
  machineDescription,
  percentile,
  prepareBenchDatabase,
  round,
  sessionCookie,
  startStack,
  withPg,
  writeResults,
  type LatencySummary,
} from "./lib/harness";

const databaseUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
const port = Number(process.env.BENCH_PORT ?? 3450);
const PER_RUN = Number(process.env.BENCH_RESETS ?? 200);
const skipBuild = process.argv.includes("--skip-build");

export async function ensureSeeded(url: string, accounts: number): Promise<void> {
  const count = await withPg(url, async (c) => Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM account")).rows[0]!.n));
  if (count > 0) return;
  const settings = seedSettingsFromEnv({ ...process.env, SEED_ACCOUNTS: String(accounts) });
  console.log(`seeding ${settings.accounts.toLocaleString("en")} accounts…`);
  const seeded = await seedDatabase(loadConfig({ ...process.env, DATABASE_URL: url, SCOPEDESK_ENV: "development" }), settings);
  console.log(`seeded in ${seeded.seconds.toFixed(1)} s`);
}

/** Accounts that still lack the erase-job scopes (so every reset really changes something), with their preview fingerprint. */
export async function resetCandidates(url: string, count: number): Promise<{ id: number; fingerprint: string }[]> {
  return withPg(url, async (c) => {
    const { rows } = await c.query<{ id: number; fingerprint: string }>(
      `SELECT a.id, s.fingerprint FROM account a JOIN scope_set s ON s.id = a.scope_set_id
       WHERE NOT s.has_erase_job ORDER BY a.id LIMIT $1`,
      [count],
    );
    if (rows.length < count) throw new Error(`only ${rows.length} accounts still lack the erase-job scopes; reseed the benchmark database`);
    return rows;
  });
}

/** One reset per account through POST /api/accounts/{id}/scope-resets. */
export async function runResets(
  baseUrl: string,
  cookie: string,
  accounts: { id: number; fingerprint: string }[],
  concurrency: number,
): Promise<{ summary: LatencySummary; requestIds: string[] }> {
  const requestIds: string[] = [];
  const summary = await closedLoop(accounts.length, concurrency, async (i) => {
    const account = accounts[i]!;
    const requestId = `bench-reset-${randomUUID()}`;
    requestIds.push(requestId);
    const response = await fetch(`${baseUrl}/api/accounts/${account.id}/scope-resets`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", "x-request-id": requestId },
      body: JSON.stringify({ ticket: String(500_000 + i), idempotencyKey: randomUUID(), expectedFingerprint: account.fingerprint }),
    });
    await response.arrayBuffer();
    return response.status === 201;
  });
  return { summary, requestIds };
}

/** The transaction time each reset recorded itself (server side, without HTTP and session handling). */
export async function serverDurations(url: string, requestIds: string[]): Promise<{ p50: number; p95: number; p99: number }> {
  const durations = await withPg(url, async (c) =>
    (await c.query<{ d: number }>("SELECT duration_ms AS d FROM scope_reset WHERE request_id = ANY($1) ORDER BY d", [requestIds])).rows.map((r) => r.d),
  );
  return { p50: percentile(durations, 50), p95: percentile(durations, 95), p99: percentile(durations, 99) };
}

async function main() {
  await prepareBenchDatabase(databaseUrl);
  await ensureSeeded(databaseUrl, Number(process.env.SEED_ACCOUNTS ?? 20_000));
  const stack = await startStack({ databaseUrl, port, idpPort: port + 1, distDir: ".next-bench", skipBuild });
  onShutdown(() => stack.stop());
  try {
    const cookie = await sessionCookie(stack.baseUrl, "agent@scopedesk.test");
    const accounts = await resetCandidates(databaseUrl, PER_RUN * 2 + 20);
    // Warm-up: the first requests compile routes and fill connection pools.
    await runResets(stack.baseUrl, cookie, accounts.slice(0, 20), 4);
    const rows: { concurrency: number; client: LatencySummary; server: { p50: number; p95: number; p99: number } }[] = [];
    for (const [index, concurrency] of [1, 20].entries()) {
      const slice = accounts.slice(20 + index * PER_RUN, 20 + (index + 1) * PER_RUN);
      const { summary, requestIds } = await runResets(stack.baseUrl, cookie, slice, concurrency);
      rows.push({ concurrency, client: summary, server: await serverDurations(databaseUrl, requestIds) });
      console.log(`concurrency ${concurrency}:`, summary);
    }
    const machine = await machineDescription(databaseUrl);
    const md = [
      `# Reset Scopes benchmark, ${new Date().toISOString().slice(0, 10)}`,
      "",
      `Figures of one machine on one day: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, PostgreSQL ${machine.postgres}.`,
      `${PER_RUN} resets on distinct accounts per row, through POST /api/accounts/{id}/scope-resets of the production build.`,
      "",
      "| concurrency | median ms | p95 ms | p99 ms | resets/s | errors | server transaction p50 / p95 ms |",
      "|---|---|---|---|---|---|---|",
      ...rows.map(
        (r) => `| ${r.concurrency} | ${r.client.p50} | ${r.client.p95} | ${r.client.p99} | ${round(r.client.throughput, 1)} | ${r.client.errors} | ${r.server.p50} / ${r.server.p95} |`,
      ),
      "",
    ].join("\n");
    const paths = writeResults("reset", { machine, rows }, md);
    console.log(`\n${md}\nwritten to ${paths.mdPath}`);
  } finally {
    await stack.stop();
  }
}

if (process.argv[1]?.endsWith("bench/reset.ts")) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
