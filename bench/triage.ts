/**
 * `npm run bench:triage`: triage on arrival (decision 031), from a ticket's
 * creation to its triage note in the ticket, with the development Zendesk
 * answering every API call 100 ms late, the production build and one worker
 * beside it, as production runs them. Budget: p95 ≤ 2 s.
 *
 * Each ticket is opened in the development Zendesk as a customer would
 * (POST /__dev/tickets, timed from just before it); its trigger fires the
 * signed webhook to Scopedesk, which queues the job; the worker reads the
 * ticket, triages the requester's account and posts the note. The clock
 * stops when the note is in the ticket's comments (read in-process from the
 * fake, every 10 ms). Requesters are seeded accounts (pre- and post-cutoff,
 * parents and subusers) and, one in ten, an address no account has.
 *
 * Two patterns: a steady one (a ticket every 250 ms) and a burst (all at
 * once, how long the worker takes to catch up). --tickets=<n> per pattern
 * (default 60), --skip-build reuses .next-bench. Database: BENCH_DATABASE_URL
 * (default scopedesk_bench; local, never the demo or test one), seeded with
 * SEED_ACCOUNTS (default 100,000) when empty. Ports BENCH_PORT (default 3600)
 * and the next two.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { startDevZendesk, type DevZendesk } from "../scripts/dev-zendesk/server";
import { loadDotEnv } from "../scripts/lib/env";
import { onShutdown } from "../scripts/lib/processes";
import { triageMarker } from "../lib/triage/triage-note";
import {
  DEFAULT_BENCH_DATABASE_URL,
  machineDescription,
  percentile,
  prepareBenchDatabase,
  round,
  startStack,
  withPg,
  writeResults,
} from "./lib/harness";
import { ensureSeeded } from "./reset";
import { helpdeskEnv, ZENDESK_LATENCY_MS } from "./scenarios/helpdesk";

loadDotEnv();
const databaseUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
const port = Number(process.env.BENCH_PORT ?? 3600);
const tickets = Number(process.argv.find((a) => a.startsWith("--tickets="))?.split("=")[1] ?? 60);
const STEADY_GAP_MS = 250;
const TIMEOUT_MS = 120_000;

interface PatternResult {
  pattern: string;
  tickets: number;
  noted: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** From the first ticket's creation to the last note. */
  drainSeconds: number;
  states: Record<string, number>;
  /** Notes in the tickets per second since the first ticket: how the worker drains. */
  perSecond: number[];
}

/** Requesters for the tickets: seeded accounts of every kind, and one in ten an address no account has. */
async function requesters(count: number): Promise<string[]> {
  const emails = await withPg(databaseUrl, async (c) => {
    const { rows } = await c.query<{ email: string }>(`SELECT email FROM account ORDER BY md5(id::text) LIMIT $1`, [count]);
    return rows.map((r) => r.email);
  });
  return emails.map((email, i) => (i % 10 === 9 ? `nobody-${i}-${randomBytes(4).toString("hex")}@bench.example` : email));
}

// Ticket numbers of this run's own: the development Zendesk starts afresh each run, the database keeps earlier runs' triage.
let nextTicketId = Math.floor(Date.now() / 1000) * 1000;

async function openTicket(zendesk: DevZendesk, requesterEmail: string): Promise<number> {
  const response = await fetch(`${zendesk.url}/__dev/tickets`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id: nextTicketId++, subject: "Please enable the erase-job scopes", requesterEmail }),
  });
  if (response.status !== 201) throw new Error(`the development Zendesk answered ${response.status}`);
  return ((await response.json()) as { id: number }).id;
}

/** Opens the tickets (`gapMs` apart; 0: all at once) and times each to its triage note. */
async function runPattern(zendesk: DevZendesk, pattern: string, emails: string[], gapMs: number): Promise<PatternResult> {
  const latencies: number[] = [];
  const doneAt: number[] = [];
  const firstAt = performance.now();
  let lastNoteAt = firstAt;
  const ids: number[] = [];
  const watch = async (email: string) => {
    const started = performance.now();
    const id = await openTicket(zendesk, email);
    ids.push(id);
    const marker = triageMarker(String(id));
    while (performance.now() - started < TIMEOUT_MS) {
      if (zendesk.comments(id).some((c) => c.body.includes(marker))) {
        const now = performance.now();
        latencies.push(now - started);
        doneAt.push(now - firstAt);
        lastNoteAt = Math.max(lastNoteAt, now);
        return;
      }
      await sleep(10);
    }
  };
  const running: Promise<void>[] = [];
  for (const email of emails) {
    running.push(watch(email));
    if (gapMs > 0) await sleep(gapMs);
  }
  await Promise.all(running);
  const sorted = [...latencies].sort((a, b) => a - b);
  const states = await withPg(databaseUrl, async (c) => {
    const { rows } = await c.query<{ state: string; n: string }>(
      `SELECT state::text AS state, count(*) AS n FROM ticket_triage WHERE ticket_id = ANY($1::text[]) GROUP BY state`,
      [ids.map(String)],
    );
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  });
  return {
    pattern,
    tickets: emails.length,
    noted: latencies.length,
    p50Ms: round(percentile(sorted, 50), 0),
    p95Ms: round(percentile(sorted, 95), 0),
    maxMs: round(sorted.at(-1) ?? 0, 0),
    drainSeconds: round((lastNoteAt - firstAt) / 1000, 1),
    states,
    perSecond: Array.from(
      { length: Math.ceil((lastNoteAt - firstAt) / 1000) },
      (_, s) => doneAt.filter((t) => t >= s * 1000 && t < (s + 1) * 1000).length,
    ),
  };
}

await prepareBenchDatabase(databaseUrl);
await ensureSeeded(databaseUrl, Number(process.env.SEED_ACCOUNTS ?? 100_000));
const baseUrl = `http://localhost:${port}`;
const secret = randomBytes(32).toString("base64");
const zendesk = await startDevZendesk({
  port: port + 2,
  host: "127.0.0.1",
  latencyMs: ZENDESK_LATENCY_MS,
  log: () => {},
  webhook: { url: `${baseUrl}/api/zendesk-app/webhook`, secret },
});
const stack = await startStack({
  databaseUrl,
  port,
  idpPort: port + 1,
  distDir: ".next-bench",
  skipBuild: process.argv.includes("--skip-build"),
  env: { ...helpdeskEnv(zendesk), ZENDESK_WEBHOOK_SECRET: secret },
  worker: true,
});
onShutdown(async () => {
  await stack.stop();
  await zendesk.close();
});
try {
  const emails = await requesters(tickets * 2 + 5);
  // Warm-up: the worker's first token, the app's first queries; not counted.
  await runPattern(zendesk, "warm-up", emails.slice(0, 5), STEADY_GAP_MS);
  const steady = await runPattern(zendesk, `steady (a ticket every ${STEADY_GAP_MS} ms)`, emails.slice(5, 5 + tickets), STEADY_GAP_MS);
  const burst = await runPattern(zendesk, "burst (all at once)", emails.slice(5 + tickets), 0);
  const machine = await machineDescription(databaseUrl);
  const rows = [steady, burst];
  const lines = [
    `# Triage on arrival, ${new Date().toISOString().slice(0, 10)} (one machine, one day)`,
    "",
    `From a ticket's creation in the development Zendesk (every API answer ${ZENDESK_LATENCY_MS} ms late) to its triage note in the ticket:`,
    "webhook (signed) → Scopedesk verifies it and queues the job → the worker reads the ticket, triages the account, posts the note.",
    "One worker, the production build, a database of 100,000 seeded accounts. Budget: p95 ≤ 2 s.",
    "",
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}, PostgreSQL ${machine.postgres}.`,
    "",
    "| pattern | tickets | noted | p50 ms | p95 ms | max ms | drain s | states |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.pattern} | ${r.tickets} | ${r.noted} | ${r.p50Ms} | ${r.p95Ms} | ${r.maxMs} | ${r.drainSeconds} | ${Object.entries(r.states)
          .map(([s, n]) => `${s} ${n}`)
          .join(", ")} |`,
    ),
    "",
    "Notes in the tickets per second since the first ticket was opened:",
    "",
    ...rows.map((r) => `- ${r.pattern}: ${r.perSecond.join(" ")}`),
    "",
  ].join("\n");
  const paths = writeResults("triage", { machine, zendeskLatencyMs: ZENDESK_LATENCY_MS, rows }, lines);
  console.log(`\n${lines}\nwritten to ${paths.mdPath}`);
} finally {
  await stack.stop();
  await zendesk.close();
}
process.exit(0);
