/**
 * `npm run bench:erasure`: POST /v3/recipients/erasejob with 5,000 valid
 * addresses against the production build, next to a bare Node http server
 * that only parses the same body (bench/bare-server.mjs), in the same run, at
 * 1 and 20 clients. Budget: p95 < 30 ms, throughput ≥ 0.5× bare Node.
 *
 * Database: BENCH_DATABASE_URL (default scopedesk_bench; local, never the demo
 * or test one), seeded with SEED_ACCOUNTS (default 100,000) when empty; the
 * requests use 3,000 accounts of the benchmark's own so the per-account rate
 * limit is checked on every request but never reached. Ports BENCH_PORT
 * (default 3600) and the next two; --skip-build reuses .next-bench;
 * --duration=<s> (default 10). `npm run bench` runs this scenario too.
 */
import { loadDotEnv } from "../scripts/lib/env";
import { onShutdown } from "../scripts/lib/processes";
import { DEFAULT_BENCH_DATABASE_URL, prepareBenchDatabase, sessionCookie, startStack, writeResults } from "./lib/harness";
import { ensureSeeded } from "./reset";
import { erasureScenario } from "./scenarios/erasure";

loadDotEnv();
const databaseUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
const port = Number(process.env.BENCH_PORT ?? 3600);
const duration = Number(process.argv.find((a) => a.startsWith("--duration="))?.split("=")[1] ?? 10);

await prepareBenchDatabase(databaseUrl);
await ensureSeeded(databaseUrl, Number(process.env.SEED_ACCOUNTS ?? 100_000));
const stack = await startStack({
  databaseUrl,
  port,
  idpPort: port + 1,
  distDir: ".next-bench",
  skipBuild: process.argv.includes("--skip-build"),
});
onShutdown(() => stack.stop());
try {
  await sessionCookie(stack.baseUrl, "agent@scopedesk.test"); // the console answers; /v3 itself never uses a session
  const rows = await erasureScenario({
    baseUrl: stack.baseUrl,
    databaseUrl,
    barePort: port + 2,
    durationSeconds: duration,
    concurrencies: [1, 20],
  });
  const lines = [
    `# Erasure API benchmark, ${new Date().toISOString().slice(0, 10)} (one machine, one day)`,
    "",
    "| clients | app p50 / p95 / p99 ms | app req/s | bare Node p95 ms | bare req/s | throughput ratio | app statuses |",
    "|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.concurrency} | ${r.app.p50} / ${r.app.p95} / ${r.app.p99} | ${r.app.throughput} | ${r.limit!.p95} | ${r.limit!.throughput} | ${r.ratio}× | ${JSON.stringify((r.app as { statuses?: unknown }).statuses ?? {})} |`,
    ),
    "",
  ].join("\n");
  const paths = writeResults("erasure", rows, lines);
  console.log(`\n${lines}\nwritten to ${paths.mdPath}`);
} finally {
  await stack.stop();
}
process.exit(0);
