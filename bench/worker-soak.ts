/**
 * `npm run bench:worker-soak`: the idle worker's memory over time. A worker
 * runs for weeks; the erase loop it replaced added an abort listener for every
 * idle second and never removed it (Node warned after 11 seconds). This runs
 * the real worker loop (lib/jobs/run-worker.ts: every queue polled, pg-boss's
 * supervision and cron) with nothing to do, and samples its heap after a full
 * GC and its RSS once a minute, plus every process warning it raises.
 *
 * Flat memory means: the heap after GC in the second half of the run grows by
 * less than 1 MB, and no MaxListenersExceededWarning (or any other) appears.
 *
 * BENCH_DATABASE_URL (default scopedesk_bench_soak; local only, migrated here),
 * --minutes=<n> (default 30), --snapshots=<dir> (heap snapshots after minute 2
 * and at the end, to compare what grew). Run with --expose-gc (the npm script does).
 * Not part of `npm test`.
 */
import { hostname } from "node:os";
import { writeHeapSnapshot } from "node:v8";
import { setTimeout as sleep } from "node:timers/promises";
import { APP_ROLE, asRole } from "../scripts/lib/database-roles";
import { machineDescription, prepareBenchDatabase, round, writeResults } from "./lib/harness";
import { heapGrowth } from "./lib/heap-diff";

const args = process.argv.slice(2);
const MINUTES = Number(args.find((a) => a.startsWith("--minutes="))?.split("=")[1] ?? 30);
const SNAPSHOTS = args.find((a) => a.startsWith("--snapshots="))?.split("=")[1];
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/scopedesk_bench_soak";
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc (npm run bench:worker-soak does)");

await prepareBenchDatabase(databaseUrl);
Object.assign(process.env, { SCOPEDESK_ENV: "development", DATABASE_URL: asRole(databaseUrl, APP_ROLE), LOG_LEVEL: "warn" });
const { startWorker } = await import("../lib/jobs/run-worker");
const { getLogger } = await import("../lib/platform/logger");

const warnings: { at: number; name: string; message: string }[] = [];
const started = Date.now();
process.on("warning", (w) => warnings.push({ at: round((Date.now() - started) / 60_000, 1), name: w.name, message: w.message }));

const worker = await startWorker({
  connectionString: process.env.DATABASE_URL!,
  workerId: `${hostname()}:soak`,
  log: getLogger().child({ component: "soak" }),
});

interface Sample {
  minute: number;
  heapUsedMb: number;
  rssMb: number;
  handles: number;
}
const samples: Sample[] = [];
const sample = (minute: number) => {
  gc();
  const m = process.memoryUsage();
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
  samples.push({ minute, heapUsedMb: round(m.heapUsed / 2 ** 20, 2), rssMb: round(m.rss / 2 ** 20, 1), handles });
  console.log(`minute ${minute}: heap ${samples.at(-1)!.heapUsedMb} MB, rss ${samples.at(-1)!.rssMb} MB, handles ${handles}`);
};
// The first minute warms up (JIT, pools, pg-boss's first maintenance): the baseline is taken after it.
for (let minute = 1; minute <= MINUTES; minute++) {
  await sleep(60_000);
  sample(minute);
  if (SNAPSHOTS && (minute === 2 || minute === MINUTES))
    console.log(`heap snapshot: ${writeHeapSnapshot(`${SNAPSHOTS}/soak-minute-${minute}.heapsnapshot`)}`);
}
await worker.stop();

const half = samples.filter((s) => s.minute >= MINUTES / 2);
const growthMb = round(half.at(-1)!.heapUsedMb - half[0]!.heapUsedMb, 2);
const slopeMbPerHour = round(slope(samples.filter((s) => s.minute >= 2)) * 60, 2);
const growth = SNAPSHOTS ? heapGrowth(`${SNAPSHOTS}/soak-minute-2.heapsnapshot`, `${SNAPSHOTS}/soak-minute-${MINUTES}.heapsnapshot`) : null;
// With snapshots, flat means no retained objects beyond compiled code (which V8 adds while it optimises, and which levels off).
const retainedKb = growth ? round((growth.total - growth.codeBytes) / 1024, 1) : null;
const flat = warnings.length === 0 && (retainedKb !== null ? retainedKb < 256 : growthMb < 1);
const machine = await machineDescription(databaseUrl);
const md = [
  `# Idle worker soak, ${new Date().toISOString().slice(0, 10)}`,
  "",
  `${MINUTES} minutes of the real worker loop with nothing queued (every queue polled every 2 s, the erasure relay every second, supervision every 10 s, cron), ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, PostgreSQL ${machine.postgres}.`,
  "",
  `**${flat ? "Flat" : "NOT flat"}**: heap after GC grew ${growthMb} MB over the second half; fitted slope ${slopeMbPerHour} MB/hour from minute 2` +
    (growth
      ? `; between the snapshots of minute 2 and minute ${MINUTES}, ${retainedKb} KB of objects and ${round(growth.codeBytes / 1024, 1)} KB of compiled code`
      : "") +
    `; ${warnings.length} process warnings.`,
  "",
  "| minute | heap used after GC (MB) | RSS (MB) | active handles |",
  "|---|---|---|---|",
  ...samples.map((s) => `| ${s.minute} | ${s.heapUsedMb} | ${s.rssMb} | ${s.handles} |`),
  "",
  warnings.length
    ? ["Warnings:", "", ...warnings.map((w) => `- minute ${w.at}: ${w.name}: ${w.message}`)].join("\n")
    : "No process warnings.",
  "",
  ...(growth
    ? [
        `## What grew between the heap snapshots of minute 2 and minute ${MINUTES}`,
        "",
        "| kind of heap node | bytes | count |",
        "|---|---|---|",
        ...growth.rows.map((r) => `| ${r.kind.replace(/\|/g, "/")} | ${r.bytes} | ${r.count} |`),
        "",
      ]
    : []),
].join("\n");
const paths = writeResults(
  "worker-soak",
  { machine, minutes: MINUTES, samples, warnings, growthMb, slopeMbPerHour, flat, heapGrowth: growth },
  md,
);
console.log(`\n${md}\nwritten to ${paths.mdPath}`);
process.exit(0);

/** Least-squares slope of heap against minute. */
function slope(points: Sample[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.minute, 0) / n;
  const my = points.reduce((a, p) => a + p.heapUsedMb, 0) / n;
  const num = points.reduce((a, p) => a + (p.minute - mx) * (p.heapUsedMb - my), 0);
  const den = points.reduce((a, p) => a + (p.minute - mx) ** 2, 0);
  return num / den;
}
