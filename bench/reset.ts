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

/** Parent accounts that still lack the erase-job scopes, so every reset really changes something and no parent blocks it. */
export async function resetCandidates(url: string, count: number): Promise<number[]> {
  return withPg(url, async (c) => {
    const { rows } = await c.query<{ id: number }>(
      `SELECT a.id FROM account a JOIN scope_set s ON s.id = a.scope_set_id
       WHERE NOT s.has_erase_job AND a.parent_id IS NULL ORDER BY a.id LIMIT $1`,
      [count],
    );
    if (rows.length < count) throw new Error(`only ${rows.length} accounts still lack the erase-job scopes; reseed the benchmark database`);
    return rows.map((r) => r.id);
  });
}

/** A reset as the agent confirms it: the preview's fingerprint and, when keys lose scopes, the acknowledgement of exactly those losses. */
export interface PreparedReset {
  id: number;
  expectedFingerprint: string;
  acknowledgedKeyImpact?: string;
}

/**
 * What the agent sees before confirming: GET /api/accounts/{id} for each
 * account (not timed), as the account page loads it before Reset Scopes.
 */
export async function prepareResets(baseUrl: string, cookie: string, ids: number[], concurrency = 20): Promise<PreparedReset[]> {
  const prepared: (PreparedReset | null)[] = new Array(ids.length).fill(null);
  await closedLoop(ids.length, concurrency, async (i) => {
    const response = await fetch(`${baseUrl}/api/accounts/${ids[i]}`, { headers: { cookie } });
    if (!response.ok) return false;
    const detail = (await response.json()) as {
      resetPlan: { previewFingerprint: string; blocked: unknown; default: { keyImpact: { fingerprint: string | null } } };
    };
    if (detail.resetPlan.blocked) return true;
    const ack = detail.resetPlan.default.keyImpact.fingerprint;
    prepared[i] = { id: ids[i]!, expectedFingerprint: detail.resetPlan.previewFingerprint, ...(ack ? { acknowledgedKeyImpact: ack } : {}) };
    return true;
  });
  return prepared.filter((p): p is PreparedReset => p !== null);
}

/**
 * One reset per account through POST /api/accounts/{id}/scope-resets, sent
 * as the console's own page sends it (same-origin, so the CSRF check passes).
 */
export async function runResets(
  baseUrl: string,
  cookie: string,
  accounts: PreparedReset[],
  concurrency: number,
  ticketFor: (i: number) => string = (i) => String(500_000 + i),
): Promise<{ summary: LatencySummary; requestIds: string[]; committedAt: Map<number, number> }> {
  const requestIds: string[] = [];
  const committedAt = new Map<number, number>();
  const summary = await closedLoop(accounts.length, concurrency, async (i) => {
    const account = accounts[i]!;
    const { id, ...confirmation } = account;
    const response = await fetch(`${baseUrl}/api/accounts/${id}/scope-resets`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", origin: baseUrl, "sec-fetch-site": "same-origin" },
      body: JSON.stringify({ ticket: ticketFor(i), idempotencyKey: randomUUID(), ...confirmation }),
    });
    await response.arrayBuffer();
    // The server's own request id, as the reset records it.
    const requestId = response.headers.get("x-request-id");
    if (requestId) requestIds.push(requestId);
    // The answer arrives after the commit: the earliest moment a client can know the reset happened.
    if (response.status === 201) committedAt.set(id, Date.now());
    return response.status === 201;
  });
  return { summary, requestIds, committedAt };
}

/** The transaction time each reset recorded itself (server side, without HTTP and session handling). */
export async function serverDurations(url: string, requestIds: string[]): Promise<{ p50: number; p95: number; p99: number }> {
  const durations = await withPg(url, async (c) =>
    (await c.query<{ d: number }>("SELECT duration_ms AS d FROM scope_reset WHERE request_id = ANY($1) ORDER BY d", [requestIds])).rows.map(
      (r) => r.d,
    ),
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
    const accounts = await prepareResets(stack.baseUrl, cookie, await resetCandidates(databaseUrl, PER_RUN * 2 + 40));
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
        (r) =>
          `| ${r.concurrency} | ${r.client.p50} | ${r.client.p95} | ${r.client.p99} | ${round(r.client.throughput, 1)} | ${r.client.errors} | ${r.server.p50} / ${r.server.p95} |`,
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
