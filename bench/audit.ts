/**
 * `npm run bench:audit`: the audit workspace against 1,000,000 reset records.
 *
 *  - a local benchmark database of its own (BENCH_DATABASE_URL, default
 *    scopedesk_bench_audit), seeded when short: BENCH_ACCOUNTS accounts
 *    (default 1,000,000) and BENCH_RESET_RECORDS resets (default 1,000,000)
 *    with notes and chained audit events (scripts/lib/seed/resets.ts);
 *  - the production build (.next-bench-audit; --skip-build reuses it) on
 *    BENCH_PORT (default 3350) with the development IdP, signed in as the lead;
 *  - the list under each single filter at 1 and 20 clients (budget: p95 < 50
 *    ms at 1 client), then the full CSV export (budget: < 20 s, server peak
 *    RSS < 300 MB); results in bench/results/audit-<time>.{json,md}.
 *
 * Options: --only=audit,export --duration=<seconds> (default 10) --skip-build.
 * Not a test: `npm test` never runs it.
 */
import { loadConfig } from "../lib/platform/config";
import { loadDotEnv } from "../scripts/lib/env";
import { onShutdown } from "../scripts/lib/processes";
import { seedDatabase, seedSettingsFromEnv } from "../scripts/lib/seed/seed-database";
import { machineDescription, prepareBenchDatabase, round, sessionCookie, startStack, withPg, writeResults } from "./lib/harness";
import { auditScenarios, seedResetRecordsIfNeeded } from "./scenarios/audit";

loadDotEnv();
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const only = new Set((flag("only") ?? "").split(",").filter(Boolean));
const wants = (name: string) => only.size === 0 || only.has(name);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/scopedesk_bench_audit";
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000);
const RESETS = Number(process.env.BENCH_RESET_RECORDS ?? 1_000_000);
const port = Number(process.env.BENCH_PORT ?? 3350);
const DURATION = Number(flag("duration") ?? 10);

async function main() {
  const timings: Record<string, number> = {};
  await prepareBenchDatabase(databaseUrl);
  const accounts = await withPg(databaseUrl, async (c) =>
    Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM account")).rows[0]!.n),
  );
  if (accounts < ACCOUNTS) {
    console.log(`seeding ${ACCOUNTS.toLocaleString("en")} accounts…`);
    const settings = seedSettingsFromEnv({
      ...process.env,
      SEED: "scopedesk-bench",
      SEED_ACCOUNTS: String(ACCOUNTS),
      SEED_ACTIVITY_PER_ACCOUNT: "0",
    });
    const seeded = await seedDatabase(loadConfig({ ...process.env, SCOPEDESK_ENV: "development", DATABASE_URL: databaseUrl }), settings);
    timings.accountsSeconds = round(seeded.seconds, 1);
  }
  const resetSeconds = await seedResetRecordsIfNeeded(databaseUrl, RESETS);
  if (resetSeconds !== null) timings.resetRecordsSeconds = round(resetSeconds, 1);

  const stack = await startStack({
    databaseUrl,
    port,
    idpPort: port + 1,
    distDir: ".next-bench-audit",
    skipBuild: args.includes("--skip-build"),
  });
  onShutdown(() => stack.stop());
  try {
    const cookie = await sessionCookie(stack.baseUrl, "lead@scopedesk.test");
    const audit = await auditScenarios({
      wants,
      baseUrl: stack.baseUrl,
      cookie,
      databaseUrl,
      pid: stack.app.pid!,
      durationSeconds: DURATION,
      concurrencies: [1, 20],
    });
    const machine = await machineDescription(databaseUrl);
    const lines = [
      `# Audit benchmark (${new Date().toISOString()})`,
      "",
      `Machine: ${JSON.stringify(machine)}`,
      `Seeding: ${JSON.stringify(timings)}`,
      "",
      "| Scenario | Limit | Measured | Met |",
      "|---|---|---|---|",
      ...audit.budgets.map((b) => `| ${b.scenario} | ${b.limit} | ${b.measured} | ${b.met ? "yes" : "**NO**"} |`),
      "",
      "| Scenario | Clients | p50 ms | p95 ms | p99 ms | req/s | non-2xx | peak RSS MB |",
      "|---|---|---|---|---|---|---|---|",
      ...audit.results.map(
        (r) =>
          `| ${r.scenario} | ${r.concurrency} | ${r.app.p50} | ${r.app.p95} | ${r.app.p99} | ${r.app.throughput} | ${r.app.non2xx ?? 0} | ${r.peakMemoryMb ?? ""} |`,
      ),
    ];
    const markdown = lines.join("\n");
    console.log(`\n${markdown}`);
    const written = writeResults("audit", { machine, timings, ...audit }, markdown);
    console.log(`\nresults: ${written.mdPath}`);
    if (audit.budgets.some((b) => !b.met)) process.exitCode = 1;
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
