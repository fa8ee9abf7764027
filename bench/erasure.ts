/**
 * `npm run bench:erasure`: POST /v3/recipients/erasejob with 5,000 valid
 * addresses against the production build, next to a bare Node http server
 * that only parses the same body, in the same run. Reports median / p95 / p99
 * latency and throughput of both, and checks the budget: p95 < 30 ms and
 * throughput ≥ 0.5× bare Node.
 *
 * Uses its own database (BENCH_DATABASE_URL, default scopedesk_bench), seeded
 * if empty (SEED_ACCOUNTS, default 100,000), its own build directory
 * (.next-bench; --skip-build reuses it) and ports (BENCH_PORT, default 3250,
 * and the next one). Requests rotate over BENCH_ACCOUNTS (default 400) keys of
 * their own accounts, so the per-account rate limit (100/min) is exercised on
 * every request but not hit. Not part of `npm test`.
 * Options: --duration=<s> (10), --connections=<n> (8).
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import autocannon from "autocannon";
import pg from "pg";
import { generateApiKey } from "../lib/api-keys";
import { loadConfig } from "../lib/config";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, normalizeScopes } from "../lib/scopes/catalog";
import { scopeSetFingerprint } from "../lib/scopes/fingerprint";
import { loadDotEnv } from "../scripts/lib/env";
import { migrate } from "../scripts/lib/migrate";
import { ensureDatabase, redact, waitForPostgres } from "../scripts/lib/postgres";
import { assertPortFree, onShutdown, run, startProcess, stopAll, waitForHttp } from "../scripts/lib/processes";
import { seedDatabase, seedSettingsFromEnv } from "../scripts/lib/seed/seed-database";

loadDotEnv();
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const DURATION = arg("duration", 10);
const CONNECTIONS = arg("connections", 8);
const APP_PORT = Number(process.env.BENCH_PORT ?? 3250);
const BARE_PORT = APP_PORT + 1;
const BENCH_ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 400);
const FIRST_BENCH_ID = 90_000_000;
const DIST_DIR = process.env.BENCH_NEXT_DIST_DIR ?? ".next-bench";
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/scopedesk_bench";

const env: NodeJS.ProcessEnv = {
  ...process.env,
  SCOPEDESK_ENV: "development",
  NODE_ENV: "production",
  DATABASE_URL: databaseUrl,
  NEXT_DIST_DIR: DIST_DIR,
  NEXT_TELEMETRY_DISABLED: "1",
  LOG_LEVEL: "warn",
  AUTH_TRUST_HOST: "true",
};

async function prepareDatabase(): Promise<string[]> {
  const config = loadConfig(env);
  await waitForPostgres(databaseUrl);
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM account");
    if (Number(rows[0]!.n) === 0) {
      const settings = seedSettingsFromEnv({ ...process.env, SEED_ACCOUNTS: process.env.SEED_ACCOUNTS ?? "100000" });
      console.log(`seeding ${redact(databaseUrl)} with ${settings.accounts.toLocaleString("en")} accounts…`);
      await seedDatabase(config, settings);
    }
    // Bench accounts of their own, each with a key holding the erase-job scopes.
    const scopes = normalizeScopes([...ADMIN_SCOPES, ...ERASE_JOB_SCOPES]);
    const fingerprint = scopeSetFingerprint(scopes);
    await client.query(`INSERT INTO scope_set (fingerprint, scopes) VALUES ($1, $2) ON CONFLICT (fingerprint) DO NOTHING`, [fingerprint, scopes]);
    const { rows: set } = await client.query<{ id: number }>(`SELECT id FROM scope_set WHERE fingerprint = $1`, [fingerprint]);
    const range = [FIRST_BENCH_ID, FIRST_BENCH_ID + BENCH_ACCOUNTS - 1];
    await client.query(`DELETE FROM account WHERE id >= $1 AND id < $1 + 100000`, [FIRST_BENCH_ID]);
    await client.query(
      `INSERT INTO account (id, username, email, signed_up_at, scope_set_id)
       SELECT id, 'bench-' || id, 'bench-' || id || '@bench.example', '2024-06-01', $3 FROM generate_series($1::int, $2::int) id`,
      [range[0], range[1], set[0]!.id],
    );
    const keys = Array.from({ length: BENCH_ACCOUNTS }, (_, i) => ({ accountId: FIRST_BENCH_ID + i, ...generateApiKey() }));
    await client.query(
      `INSERT INTO api_key (id, account_id, name, scope_set_id, secret_hash)
       SELECT k.id, k.account_id, 'bench', $2, k.hash FROM jsonb_to_recordset($1::jsonb) AS k(id text, account_id int, hash text)`,
      [JSON.stringify(keys.map((k) => ({ id: k.id, account_id: k.accountId, hash: k.hash }))), set[0]!.id],
    );
    await client.query("ANALYZE account, api_key");
    return keys.map((k) => k.plaintext);
  } finally {
    await client.end();
  }
}

async function cleanUp(): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DELETE FROM account WHERE id >= $1 AND id < $1 + 100000`, [FIRST_BENCH_ID]);
  } finally {
    await client.end();
  }
}

interface Measured {
  label: string;
  requests: number;
  throughput: number;
  median: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(label: string, url: string, body: string, keys: string[] | null, duration: number): Promise<Measured> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration,
    headers: { "content-type": "application/json" },
    body,
    requests: [
      {
        setupRequest: (request) => {
          if (!keys) return request;
          const key = keys[next++ % keys.length]!;
          return { ...request, headers: { ...request.headers, authorization: `Bearer ${key}` } };
        },
      },
    ],
  }, (error, result) => (error ? fail(error) : finish(result)));
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await done;
  latencies.sort((a, b) => a - b);
  return {
    label,
    requests: latencies.length,
    throughput: latencies.length / result.duration,
    median: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    statuses,
  };
}

onShutdown(stopAll);
try {
  console.log(`bench database: ${redact(databaseUrl)}`);
  const keys = await prepareDatabase();
  if (!process.argv.includes("--skip-build") || !existsSync(`${DIST_DIR}/BUILD_ID`)) {
    const code = await run("npx", ["next", "build"], { env });
    if (code !== 0) throw new Error("next build failed");
  }
  await assertPortFree(APP_PORT, "bench app");
  await assertPortFree(BARE_PORT, "bench bare server");
  startProcess("app", "npx", ["next", "start", "-p", String(APP_PORT)], { env, quiet: true });
  startProcess("bare", "node", ["bench/bare-server.mjs", String(BARE_PORT)], { quiet: true });
  await waitForHttp(`http://127.0.0.1:${APP_PORT}/api/health`);
  await waitForHttp(`http://127.0.0.1:${BARE_PORT}/`, 10_000, () => true);

  const addresses = Array.from({ length: 5000 }, (_, i) => `recipient.${i}.${randomUUID().slice(0, 8)}@customer-${i % 97}.example`);
  const body = JSON.stringify({ email_addresses: addresses });
  console.log(`body: ${addresses.length} addresses, ${(Buffer.byteLength(body) / 1024).toFixed(1)} KiB; ${CONNECTIONS} connections, ${DURATION} s each`);

  // Warm both up (JIT, connection pools), then measure, bare Node first.
  await measure("warm-up", `http://127.0.0.1:${BARE_PORT}/`, body, null, 2);
  await measure("warm-up", `http://127.0.0.1:${APP_PORT}/v3/recipients/erasejob`, body, keys, 3);
  const bare = await measure("bare Node http (parse only)", `http://127.0.0.1:${BARE_PORT}/`, body, null, DURATION);
  const app = await measure("Scopedesk POST /v3/recipients/erasejob", `http://127.0.0.1:${APP_PORT}/v3/recipients/erasejob`, body, keys, DURATION);

  const ratio = app.throughput / bare.throughput;
  const rows = [bare, app].map((m) => ({
    server: m.label,
    "req/s": m.throughput.toFixed(0),
    "median ms": m.median.toFixed(1),
    "p95 ms": m.p95.toFixed(1),
    "p99 ms": m.p99.toFixed(1),
    statuses: JSON.stringify(m.statuses),
  }));
  console.table(rows);
  const p95ok = app.p95 < 30;
  const ratioOk = ratio >= 0.5;
  const only202 = Object.keys(app.statuses).every((s) => s === "202");
  console.log(`p95 ${app.p95.toFixed(1)} ms (budget < 30 ms): ${p95ok ? "OK" : "OVER BUDGET"}`);
  console.log(`throughput ${ratio.toFixed(2)}× bare Node (budget ≥ 0.5×): ${ratioOk ? "OK" : "UNDER BUDGET"}`);
  if (!only202) console.log(`non-202 answers from the app: ${JSON.stringify(app.statuses)}`);

  mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/erasure-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), connections: CONNECTIONS, duration: DURATION, bodyBytes: Buffer.byteLength(body), bare, app, ratio, budget: { p95ok, ratioOk } }, null, 2));
  console.log(`results: ${file}`);
  await stopAll();
  await cleanUp();
  process.exit(p95ok && ratioOk && only202 ? 0 : 1);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll();
  process.exit(1);
}
