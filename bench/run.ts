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
 *  5. last, the helpdesk scenarios (bench/scenarios/helpdesk.ts): the app
 *     restarted with the development Zendesk answering 100 ms late and a
 *     worker beside it; resets with their notes' delivery enqueued, and the
 *     time from a reset's commit to both notes delivered.
 *
 * Every console scenario is set against two limits measured in the same run:
 * the same SQL straight through `pg`, and the pipeline's floor (GET /api/me,
 * signed in, no database). The results are set beside the 2026-11-23 run.
 *
 * Options: --only=floor,lookup,account,reset,audit,export,erasure,bundle,delivery
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
import { ERASURE_STORE_SCENARIO, erasureScenario } from "./scenarios/erasure";
import { FLOOR_SCENARIO, floorScenarios } from "./scenarios/floor";
import { helpdeskEnv, helpdeskScenarios, startBenchZendesk, ZENDESK_LATENCY_MS } from "./scenarios/helpdesk";
import { prepareResets, resetCandidates, runResets, serverDurations } from "./reset";
import { directResets, prepareDirectResets } from "./scenarios/reset-direct";
import { readFileSync } from "node:fs";
import { cpuMeter } from "./lib/cpu";

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
  const count = await withPg(databaseUrl, async (c) =>
    Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM account")).rows[0]!.n),
  );
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
  let stack = await startStack({ databaseUrl, port, idpPort: port + 1, distDir: ".next-bench", skipBuild: args.includes("--skip-build") });
  onShutdown(() => stack.stop());
  const pid = stack.app.pid!;
  const results: ScenarioResult[] = [];
  const budgets: Budget[] = [];
  const extra: Record<string, unknown> = {};
  try {
    const [agentCookie, leadCookie] = [
      await sessionCookie(stack.baseUrl, "agent@scopedesk.test"),
      await sessionCookie(stack.baseUrl, "lead@scopedesk.test"),
    ];
    const sample = await sampleAccounts(databaseUrl);
    const base = {
      baseUrl: stack.baseUrl,
      cookie: agentCookie,
      databaseUrl,
      sample,
      durationSeconds: DURATION,
      concurrencies: CONCURRENCIES,
      appPid: pid,
    };
    const measured = async <T extends ScenarioResult[]>(fn: () => Promise<T>): Promise<T> => {
      const memory = watchPeakMemory(pid);
      const rows = await fn();
      const peak = round(memory.stop(), 0);
      for (const r of rows) r.peakMemoryMb = peak;
      results.push(...rows);
      return rows;
    };

    const auditPart = async (part: "audit" | "export") => {
      const audit = await auditScenarios({
        wants: (name) => name === part,
        baseUrl: stack.baseUrl,
        cookie: leadCookie,
        databaseUrl,
        pid,
        durationSeconds: DURATION,
        concurrencies: CONCURRENCIES,
      });
      results.push(...audit.results);
      budgets.push(...audit.budgets);
      Object.assign(extra, audit.extra);
    };
    // The export first, while the server has served nothing else: its peak then
    // shows what the export itself holds (a server that has just served load at
    // 20 clients keeps a larger heap whatever comes next; the result says the
    // RSS before the export too).
    if (wants("export")) await auditPart("export");

    // The floor every console scenario is set against (and the session check signed out).
    const floor = new Map<number, number>();
    if (["floor", "lookup", "account", "reset", "audit"].some(wants)) {
      const rows = await measured(() =>
        floorScenarios({
          baseUrl: stack.baseUrl,
          cookie: agentCookie,
          durationSeconds: DURATION,
          concurrencies: CONCURRENCIES,
          appPid: pid,
        }),
      );
      for (const r of rows.filter((x) => x.scenario === FLOOR_SCENARIO)) floor.set(r.concurrency, r.app.p95);
    }

    if (wants("lookup")) {
      const rows = await measured(() => lookupScenarios(base));
      for (const r of rows.filter((x) => x.concurrency === 20)) {
        budgets.push({
          scenario: r.scenario,
          limit: "p95 ≤ 25 ms, ≤ 3× direct query",
          measured: `${r.app.p95} ms, ${r.ratio}×`,
          met: r.app.p95 <= 25 && (r.ratio ?? 99) <= 3,
        });
      }
    }
    if (wants("account")) {
      const rows = await measured(() => accountDetailScenario(base));
      for (const r of rows.filter((x) => x.concurrency === 20)) {
        budgets.push({
          scenario: r.scenario,
          limit: "p95 ≤ 40 ms, ≤ 3× direct queries",
          measured: `${r.app.p95} ms, ${r.ratio}×`,
          met: r.app.p95 <= 40 && (r.ratio ?? 99) <= 3,
        });
      }
    }
    if (wants("reset")) {
      // The agent's view of each account first (not timed): the confirmation carries its fingerprints.
      const appCount = 40 + 400 * CONCURRENCIES.length;
      const candidates = await resetCandidates(databaseUrl, appCount + 420 * CONCURRENCIES.length);
      const accounts = await prepareResets(stack.baseUrl, agentCookie, candidates.slice(0, appCount));
      // The limit resets other accounts of the same kind: the same statements straight through pg (bench/scenarios/reset-direct.ts).
      const direct = await prepareDirectResets(databaseUrl, candidates.slice(appCount));
      await runResets(stack.baseUrl, agentCookie, accounts.slice(0, 20), 4);
      const rows = await measured(async () => {
        const out: ScenarioResult[] = [];
        for (const [i, concurrency] of CONCURRENCIES.entries()) {
          const slice = accounts.slice(20 + i * 400, 20 + (i + 1) * 400);
          const meter = cpuMeter(pid);
          const { summary, requestIds } = await runResets(stack.baseUrl, agentCookie, slice, concurrency);
          const cpu = meter.stop(summary.requests);
          const server = await serverDurations(databaseUrl, requestIds);
          extra[`resetServerTransactionC${concurrency}`] = server;
          const limit = await directResets(databaseUrl, direct.slice(i * 420, (i + 1) * 420), concurrency, "agent@scopedesk.test");
          if (limit.errors > 0) throw new Error(`${limit.errors} direct resets failed`);
          out.push({
            scenario: "reset on distinct accounts",
            concurrency,
            app: summary,
            cpu,
            limit,
            ratio: round(summary.p95 / limit.p95, 2),
          });
        }
        return out;
      });
      const r = rows.find((x) => x.concurrency === 20)!;
      budgets.push({
        scenario: r.scenario,
        limit: "p95 ≤ 100 ms, ≥ 100 resets/s",
        measured: `${r.app.p95} ms, ${r.app.throughput}/s (the same statements straight through pg: ${r.limit!.p95} ms, ${r.limit!.throughput}/s)`,
        met: r.app.p95 <= 100 && r.app.throughput >= 100,
      });
    }
    if (wants("audit")) await auditPart("audit");
    if (wants("erasure")) {
      const rows = await measured(() =>
        erasureScenario({
          baseUrl: stack.baseUrl,
          databaseUrl,
          barePort: port + 2,
          durationSeconds: DURATION,
          concurrencies: CONCURRENCIES,
          appPid: pid,
        }),
      );
      const r = rows.find((x) => x.concurrency === 20 && x.scenario !== ERASURE_STORE_SCENARIO)!;
      const stored = rows.find((x) => x.concurrency === 20 && x.scenario === ERASURE_STORE_SCENARIO)!;
      budgets.push({
        scenario: r.scenario,
        limit: "p95 ≤ 30 ms, throughput ≥ 0.5× bare Node",
        measured:
          `${r.app.p95} ms, ${r.app.throughput}/s vs bare ${r.limit!.throughput}/s = ${r.ratio}× ` +
          `(bare Node storing the row, no app: ${stored.app.p95} ms, ${stored.app.throughput}/s = ${stored.ratio}×)`,
        met: r.app.p95 <= 30 && (r.ratio ?? 0) >= 0.5,
      });
    }

    if (wants("bundle")) {
      const js = await firstLoadJavaScript(stack.baseUrl, leadCookie, `/accounts/${sample.ids[0]}`);
      extra.accountPageJavaScript = js;
      budgets.push({
        scenario: "account page first-load JavaScript",
        limit: "≤ 180 KB gzip",
        measured: `${js.gzipKb} KB gzip (${js.scripts} scripts, ${js.rawKb} KB raw)`,
        met: js.gzipKb <= 180,
      });
    }

    for (const r of results) {
      const f = floor.get(r.concurrency);
      if (
        f !== undefined &&
        r.scenario !== FLOOR_SCENARIO &&
        !r.scenario.startsWith("POST /v3") &&
        r.scenario !== ERASURE_STORE_SCENARIO &&
        !r.scenario.startsWith("session check")
      ) {
        r.floorRatio = round(r.app.p95 / Math.max(f, 0.01), 2);
      }
    }

    if (wants("delivery")) {
      // Restarted with a helpdesk: the same build, the development Zendesk 100 ms late, a worker beside the app.
      await stack.stop();
      const zendesk = await startBenchZendesk(port + 3);
      onShutdown(() => zendesk.close());
      stack = await startStack({
        databaseUrl,
        port,
        idpPort: port + 1,
        distDir: ".next-bench",
        skipBuild: true,
        env: helpdeskEnv(zendesk),
        worker: true,
      });
      try {
        const cookie = await sessionCookie(stack.baseUrl, "agent@scopedesk.test");
        const BURST = 400;
        const PACED = 60;
        const candidates = await resetCandidates(databaseUrl, 40 + 400 * CONCURRENCIES.length + 40 + BURST + PACED);
        const helpdesk = await helpdeskScenarios({
          baseUrl: stack.baseUrl,
          cookie,
          databaseUrl,
          zendesk,
          candidates: candidates.slice(40 + 400 * CONCURRENCIES.length),
          burstResets: BURST,
          pacedResets: PACED,
          pacedIntervalMs: 500,
        });
        results.push({ scenario: "reset on distinct accounts, notes' delivery enqueued", concurrency: 20, app: helpdesk.burst });
        extra.helpdesk = { zendeskLatencyMs: ZENDESK_LATENCY_MS, ...helpdesk };
        const paced = helpdesk.pacedDelivery;
        budgets.push({
          scenario: `note delivery: commit to both notes in the ticket (${paced.resets} resets, one every 500 ms, Zendesk ${ZENDESK_LATENCY_MS} ms)`,
          limit: "p95 ≤ 2 s",
          measured: `p50 ${paced.p50Ms} ms, p95 ${paced.p95Ms} ms, max ${paced.maxMs} ms, ${paced.delivered}/${paced.resets} delivered`,
          met: paced.p95Ms <= 2000 && paced.delivered === paced.resets,
        });
        const without = results.find((r) => r.scenario === "reset on distinct accounts" && r.concurrency === 20);
        const burst = helpdesk.burstDelivery;
        budgets.push({
          scenario: "reset with delivery enqueued (20 clients), against the same run without a helpdesk",
          limit: "p95 ≤ 100 ms, ≥ 100 resets/s (as without)",
          measured:
            `${helpdesk.burst.p95} ms, ${helpdesk.burst.throughput}/s` +
            (without ? ` (without: ${without.app.p95} ms, ${without.app.throughput}/s)` : "") +
            `; the worker delivered all ${burst.delivered * 2} notes of the burst in ${burst.drainSeconds} s (per reset p50 ${burst.p50Ms} ms, p95 ${burst.p95Ms} ms)`,
          met: helpdesk.burst.p95 <= 100 && helpdesk.burst.throughput >= 100,
        });
      } finally {
        await zendesk.close();
      }
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
    const md = renderMarkdown({ machine, counts, seeding, results, budgets, extra, previous: previousRun() });
    // A partial run (--only=…) gets its own file so it never replaces a full run's results.
    const name = [only.size ? `bench-${[...only].join("-")}` : "bench", SERVER_PROCESSES > 1 ? `${SERVER_PROCESSES}-processes` : null]
      .filter(Boolean)
      .join("-");
    const paths = writeResults(name, { runId: randomUUID(), machine, counts, seeding, results, budgets, extra }, md);
    console.log(`\n${md}\nwritten to ${paths.mdPath} and ${paths.jsonPath}`);
  } finally {
    await stack.stop();
  }
}

/** The run this one is set beside. */
const PREVIOUS_RUN = "bench/results/bench-2026-11-23.json";

type PreviousRun = { day: string; results: ScenarioResult[]; machine: Record<string, string | number> };

function previousRun(): PreviousRun | null {
  try {
    const json = JSON.parse(readFileSync(PREVIOUS_RUN, "utf8")) as { results: ScenarioResult[]; machine: Record<string, string | number> };
    return { day: "2026-11-23", results: json.results, machine: json.machine };
  } catch {
    return null;
  }
}

function comparisonTable(results: ScenarioResult[], previous: PreviousRun | null, machine: Record<string, string | number>): string[] {
  if (!previous) return [`(${PREVIOUS_RUN} not found: no comparison)`];
  const before = new Map(previous.results.map((r) => [`${r.scenario}|${r.concurrency}`, r]));
  const cpu = (m: Record<string, string | number>) => `${m.cpus} × ${m.cpuModel}`;
  return [
    cpu(previous.machine) === cpu(machine)
      ? `Same kind of machine as the ${previous.day} run (${cpu(machine)}).`
      : `**Another machine**: the ${previous.day} run was on ${cpu(previous.machine)}, this one on ${cpu(machine)}, so a difference here is the machine's as well as the code's.`,
    "",
    `| scenario | clients | p95 ms ${previous.day} | p95 ms now | req/s ${previous.day} | req/s now |`,
    "|---|---|---|---|---|---|",
    ...results.map((r) => {
      const b = before.get(`${r.scenario}|${r.concurrency}`);
      return `| ${r.scenario} | ${r.concurrency} | ${b?.app.p95 ?? "(new)"} | ${r.app.p95} | ${b ? round(b.app.throughput, 1) : "—"} | ${round(r.app.throughput, 1)} |`;
    }),
  ];
}

function renderMarkdown(input: {
  machine: Record<string, string | number>;
  counts: Record<string, number>;
  seeding: Record<string, number>;
  results: ScenarioResult[];
  budgets: Budget[];
  extra: Record<string, unknown>;
  previous: PreviousRun | null;
}): string {
  const { machine, counts, seeding, results, budgets, extra, previous } = input;
  const n = (x: number) => x.toLocaleString("en");
  return [
    `# Scopedesk benchmark, ${new Date().toISOString().slice(0, 10)}`,
    "",
    `**Figures of one machine on one day**, not a promise: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB RAM, ${machine.os}, Node ${machine.node}, PostgreSQL ${machine.postgres}. App and database share the machine; the load generator runs on it too. Server processes: ${SERVER_PROCESSES} (\`npm start --workers\`, \`WEB_CONCURRENCY\`).`,
    "",
    `Data: ${n(counts.accounts!)} accounts, ${n(counts.apiKeys!)} API keys, ${n(counts.resetRecords!)} reset records, ${n(counts.auditEvents!)} audit events.` +
      (Object.keys(seeding).length
        ? ` Seeding this run: ${Object.entries(seeding)
            .map(([k, v]) => `${k} ${v} s`)
            .join(", ")}.`
        : " (already seeded; no seeding this run)"),
    "",
    "## Budgets",
    "",
    "| scenario | budget | measured | met |",
    "|---|---|---|---|",
    ...budgets.map((b) => `| ${b.scenario} | ${b.limit} | ${b.measured} | ${b.met ? "yes" : "**NO**"} |`),
    "",
    "## All runs",
    "",
    "Limit: the same SQL straight through `pg` at the same concurrency (for erasure: bare Node parsing the same body). Floor: GET /api/me signed in, same concurrency.",
    "",
    "| scenario | clients | median ms | p95 ms | p99 ms | req/s | errors | limit p95 ms | ratio to limit | ratio to floor | server peak MB |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.scenario} | ${r.concurrency} | ${r.app.p50} | ${r.app.p95} | ${r.app.p99} | ${round(r.app.throughput, 1)} | ${r.app.errors + (r.app.non2xx ?? 0)} | ${r.limit?.p95 ?? "—"} | ${r.ratio ?? "—"} | ${r.floorRatio ?? "—"} | ${r.peakMemoryMb ?? "—"} |`,
    ),
    "",
    "## CPU per request",
    "",
    "App, PostgreSQL and the load generator share this machine's cores. CPU time per request of each (from /proc), and the most requests per second the machine could give the same work if every core did only that: cores × 1000 ms ÷ CPU ms per request. A throughput budget above that capacity cannot be met here by any change to how requests wait; only less work per request can.",
    "",
    "| scenario | clients | app ms | PostgreSQL ms | load generator ms | capacity req/s | without the load generator req/s | measured req/s |",
    "|---|---|---|---|---|---|---|---|",
    ...results
      .filter((r) => r.cpu)
      .map(
        (r) =>
          `| ${r.scenario} | ${r.concurrency} | ${r.cpu!.appMs} | ${r.cpu!.postgresMs} | ${r.cpu!.loadMs} | ${r.cpu!.machineCapacityPerSecond} | ${r.cpu!.capacityWithoutLoadPerSecond} | ${round(r.app.throughput, 1)} |`,
      ),
    "",
    `## Beside the ${previous?.day ?? "previous"} run`,
    "",
    ...comparisonTable(results, previous, machine),
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
