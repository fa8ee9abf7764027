/**
 * `npm run bench`: every scenario of a support console at production scale,
 * each next to the limit it is held against, measured in the same run.
 *
 *  1. a separate benchmark database (BENCH_DATABASE_URL, default
 *     scopedesk_bench; local only, never the demo or test one), seeded at
 *     scale when it is not already: BENCH_ACCOUNTS accounts (default
 *     1,000,000) with scopes, subusers, keys and message activity, then
 *     BENCH_RESET_RECORDS reset records (default 1,000,000) with notes and
 *     audit events. Seeding times are reported.
 *  2. `next build` + `next start` (build in .next-bench; --skip-build reuses
 *     it), the development IdP, sign-in as a seeded agent and lead.
 *  3. each scenario at 1 and 20 concurrent clients after a warm-up: median,
 *     p95, p99, throughput, errors, server peak memory; and its limit.
 *  4. bench/results/<date>.md and .json.
 *
 * Options: --only=lookup,account,reset,audit,export,erasure,bundle
 *          --duration=<seconds per run> (default 10) --skip-build --reseed
 * Benchmarks are not tests: `npm test` never runs this.
 */
import { randomUUID } from "node:crypto";
import { loadConfig } from "../lib/platform/config";
import { loadDotEnv } from "../scripts/lib/env";
import { recreateDatabase } from "../scripts/lib/postgres";
import { onShutdown } from "../scripts/lib/processes";
import { seedDatabase, seedSettingsFromEnv } from "../scripts/lib/seed/seed-database";
import {
  DEFAULT_BENCH_DATABASE_URL,
  machineDescription,
  prepareBenchDatabase,
  round,
  sessionCookie,
  startStack,
  watchPeakMemory,
  withPg,
  writeResults,
} from "./lib/harness";
import { accountDetailScenario, lookupScenarios, sampleAccounts, type ScenarioResult } from "./scenarios/accounts";
import { firstLoadJavaScript } from "./scenarios/bundle";
import { auditScenarios, seedResetRecordsIfNeeded, type AuditBudget } from "./scenarios/audit";
import { erasureScenario } from "./scenarios/erasure";
import { resetCandidates, runResets, serverDurations } from "./reset";

loadDotEnv();
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const only = new Set((flag("only") ?? "").split(",").filter(Boolean));
const wants = (name: string) => only.size === 0 || only.has(name);
const DURATION = Number(flag("duration") ?? 10);
const CONCURRENCIES = [1, 20];
const databaseUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000);
const RESET_RECORDS = Number(process.env.BENCH_RESET_RECORDS ?? 1_000_000);
const port = Number(process.env.BENCH_PORT ?? 3500);
/** scripts/server.ts reads WEB_CONCURRENCY too: this many processes serve the port. */
const SERVER_PROCESSES = Number(process.env.WEB_CONCURRENCY ?? 1);

type Budget = AuditBudget;

async function seedAtScale(): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  await prepareBenchDatabase(databaseUrl);
  const count = await withPg(databaseUrl, async (c) => Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM account")).rows[0]!.n));
  if (args.includes("--reseed") || count < ACCOUNTS) {
    await recreateDatabase(databaseUrl);
    await prepareBenchDatabase(databaseUrl);
    const settings = seedSettingsFromEnv({ ...process.env, SEED: "scopedesk-bench", SEED_ACCOUNTS: String(ACCOUNTS) });
    console.log(`seeding ${ACCOUNTS.toLocaleString("en")} accounts…`);
    const seeded = await seedDatabase(loadConfig({ ...process.env, SCOPEDESK_ENV: "development", DATABASE_URL: databaseUrl }), settings);
    timings.accountsSeconds = round(seeded.seconds, 1);
    console.log(`seeded accounts in ${seeded.seconds.toFixed(1)} s`);
  }
  const resetSeconds = await seedResetRecordsIfNeeded(databaseUrl, RESET_RECORDS);
  if (resetSeconds !== null) timings.resetRecordsSeconds = round(resetSeconds, 1);
  return timings;
}

async function main() {
  const seeding = await seedAtScale();
  const stack = await startStack({ databaseUrl, port, idpPort: port + 1, distDir: ".next-bench", skipBuild: args.includes("--skip-build") });
  onShutdown(() => stack.stop());
  const pid = stack.app.pid!;
  const results: ScenarioResult[] = [];
  const budgets: Budget[] = [];
  const extra: Record<string, unknown> = {};
  try {
    const [agentCookie, leadCookie] = [await sessionCookie(stack.baseUrl, "agent@scopedesk.test"), await sessionCookie(stack.baseUrl, "lead@scopedesk.test")];
    const sample = await sampleAccounts(databaseUrl);
    const base = { baseUrl: stack.baseUrl, cookie: agentCookie, databaseUrl, sample, durationSeconds: DURATION, concurrencies: CONCURRENCIES };
    const measured = async <T extends ScenarioResult[]>(fn: () => Promise<T>): Promise<T> => {
      const memory = watchPeakMemory(pid);
      const rows = await fn();
      const peak = round(memory.stop(), 0);
      for (const r of rows) r.peakMemoryMb = peak;
      results.push(...rows);
      return rows;
    };

    const auditPart = async (part: "audit" | "export") => {
      const audit = await auditScenarios({ wants: (name) => name === part, baseUrl: stack.baseUrl, cookie: leadCookie, databaseUrl, pid, durationSeconds: DURATION, concurrencies: CONCURRENCIES });
      results.push(...audit.results);
      budgets.push(...audit.budgets);
      Object.assign(extra, audit.extra);
    };
    // The export first, while the server has served nothing else: its peak then
    // shows what the export itself holds (a server that has just served load at
    // 20 clients keeps a larger heap whatever comes next; the result says the
    // RSS before the export too).
    if (wants("export")) await auditPart("export");

    if (wants("lookup")) {
      const rows = await measured(() => lookupScenarios(base));
      for (const r of rows.filter((x) => x.concurrency === 20)) {
        budgets.push({ scenario: r.scenario, limit: "p95 ≤ 25 ms, ≤ 3× direct query", measured: `${r.app.p95} ms, ${r.ratio}×`, met: r.app.p95 <= 25 && (r.ratio ?? 99) <= 3 });
      }
    }
    if (wants("account")) {
      const rows = await measured(() => accountDetailScenario(base));
      for (const r of rows.filter((x) => x.concurrency === 20)) {
        budgets.push({ scenario: r.scenario, limit: "p95 ≤ 40 ms, ≤ 3× direct queries", measured: `${r.app.p95} ms, ${r.ratio}×`, met: r.app.p95 <= 40 && (r.ratio ?? 99) <= 3 });
      }
    }
    if (wants("reset")) {
      const accounts = await resetCandidates(databaseUrl, 20 + 400 * CONCURRENCIES.length);
      await runResets(stack.baseUrl, agentCookie, accounts.slice(0, 20), 4);
      const rows = await measured(async () => {
        const out: ScenarioResult[] = [];
        for (const [i, concurrency] of CONCURRENCIES.entries()) {
          const slice = accounts.slice(20 + i * 400, 20 + (i + 1) * 400);
          const { summary, requestIds } = await runResets(stack.baseUrl, agentCookie, slice, concurrency);
          const server = await serverDurations(databaseUrl, requestIds);
          extra[`resetServerTransactionC${concurrency}`] = server;
          out.push({ scenario: "reset on distinct accounts", concurrency, app: summary });
        }
        return out;
      });
      const r = rows.find((x) => x.concurrency === 20)!;
      budgets.push({ scenario: r.scenario, limit: "p95 ≤ 100 ms, ≥ 100 resets/s", measured: `${r.app.p95} ms, ${r.app.throughput}/s`, met: r.app.p95 <= 100 && r.app.throughput >= 100 });
    }
    if (wants("audit")) await auditPart("audit");
    if (wants("erasure")) {
      const rows = await measured(() =>
        erasureScenario({ baseUrl: stack.baseUrl, databaseUrl, barePort: port + 2, durationSeconds: DURATION, concurrencies: CONCURRENCIES }),
      );
      const r = rows.find((x) => x.concurrency === 20)!;
      budgets.push({
        scenario: r.scenario,
        limit: "p95 ≤ 30 ms, throughput ≥ 0.5× bare Node",
        measured: `${r.app.p95} ms, ${r.app.throughput}/s vs bare ${r.limit!.throughput}/s = ${r.ratio}×`,
        met: r.app.p95 <= 30 && (r.ratio ?? 0) >= 0.5,
      });
    }

    if (wants("bundle")) {
      const js = await firstLoadJavaScript(stack.baseUrl, leadCookie, `/accounts/${sample.ids[0]}`);
      extra.accountPageJavaScript = js;
      budgets.push({ scenario: "account page first-load JavaScript", limit: "≤ 180 KB gzip", measured: `${js.gzipKb} KB gzip (${js.scripts} scripts, ${js.rawKb} KB raw)`, met: js.gzipKb <= 180 });
    }

    const machine = await machineDescription(databaseUrl);
    const counts = await withPg(databaseUrl, async (c) => {
      const q = async (sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0]!.n);
      return {
        accounts: await q("SELECT count(*) AS n FROM account"),
        apiKeys: await q("SELECT count(*) AS n FROM api_key"),
        resetRecords: await q("SELECT count(*) AS n FROM scope_reset"),
        auditEvents: await q("SELECT count(*) AS n FROM audit_event"),
      };
    });
    const md = renderMarkdown({ machine, counts, seeding, results, budgets, extra });
    // A partial run (--only=…) gets its own file so it never replaces a full run's results.
    const name = [only.size ? `bench-${[...only].join("-")}` : "bench", SERVER_PROCESSES > 1 ? `${SERVER_PROCESSES}-processes` : null].filter(Boolean).join("-");
    const paths = writeResults(name, { runId: randomUUID(), machine, counts, seeding, results, budgets, extra }, md);
    console.log(`\n${md}\nwritten to ${paths.mdPath} and ${paths.jsonPath}`);
  } finally {
    await stack.stop();
  }
}

function renderMarkdown(input: {
  machine: Record<string, string | number>;
  counts: Record<string, number>;
  seeding: Record<string, number>;
  results: ScenarioResult[];
  budgets: Budget[];
  extra: Record<string, unknown>;
}): string {
  const { machine, counts, seeding, results, budgets, extra } = input;
  const n = (x: number) => x.toLocaleString("en");
  return [
    `# Scopedesk benchmark, ${new Date().toISOString().slice(0, 10)}`,
    "",
    `**Figures of one machine on one day**, not a promise: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB RAM, ${machine.os}, Node ${machine.node}, PostgreSQL ${machine.postgres}. App and database share the machine; the load generator runs on it too. Server processes: ${SERVER_PROCESSES} (\`npm start --workers\`, \`WEB_CONCURRENCY\`).`,
    "",
    `Data: ${n(counts.accounts!)} accounts, ${n(counts.apiKeys!)} API keys, ${n(counts.resetRecords!)} reset records, ${n(counts.auditEvents!)} audit events.` +
      (Object.keys(seeding).length ? ` Seeding this run: ${Object.entries(seeding).map(([k, v]) => `${k} ${v} s`).join(", ")}.` : " (already seeded; no seeding this run)"),
    "",
    "## Budgets",
    "",
    "| scenario | budget | measured | met |",
    "|---|---|---|---|",
    ...budgets.map((b) => `| ${b.scenario} | ${b.limit} | ${b.measured} | ${b.met ? "yes" : "**NO**"} |`),
    "",
    "## All runs",
    "",
    "| scenario | clients | median ms | p95 ms | p99 ms | req/s | errors | limit p95 ms | ratio | server peak MB |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${r.concurrency} | ${r.app.p50} | ${r.app.p95} | ${r.app.p99} | ${round(r.app.throughput, 1)} | ${r.app.errors + (r.app.non2xx ?? 0)} | ${r.limit?.p95 ?? "—"} | ${r.ratio ?? "—"} | ${r.peakMemoryMb ?? "—"} |`,
    ),
    "",
    "## Other figures",
    "",
    "```json",
    JSON.stringify(extra, null, 2),
    "```",
    "",
  ].join("\n");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
