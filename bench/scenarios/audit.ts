/**
 * Audit workspace scenarios: the reset list under each single filter (and one
 * combination), keyset pages, and the full CSV export with the server's peak
 * memory. Also the reset-record seeding the benchmarks share.
 */
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { exportSql } from "../../lib/audit/export-sql";
import { auditListQuerySchema } from "../../lib/audit/filters";
import { Prisma } from "../../lib/generated/prisma/client";
import { loadConfig } from "../../lib/platform/config";
import { seedResetRecords } from "../../scripts/lib/seed/resets";
import { round, rssMb, watchPeakMemory, withPg } from "../lib/harness";
import { httpLoad } from "../lib/load";
import { directLoad, ratio, type ScenarioResult } from "./accounts";

/**
 * The statements GET /api/scope-resets issues for one list path
 * (lib/audit/audit-where.ts, lib/audit/list-scope-resets.ts), with the same
 * parameters, for the direct-SQL limit: the agent check, the username
 * lookup, and the page with its keyset.
 */
export function directAuditList(path: string): { text: string; values: unknown[] }[] {
  const query = Object.fromEntries(new URL(path, "http://bench").searchParams);
  const { filter, cursor, limit } = auditListQuerySchema().parse(query);
  const statements: { text: string; values: unknown[] }[] = [];
  const values: unknown[] = [];
  const bind = (value: unknown, cast: string) => {
    values.push(value);
    return `$${values.length}::${cast}`;
  };
  const clauses: string[] = [];
  if (filter.from) clauses.push(`r.created_at >= ${bind(filter.from.toISOString(), "timestamptz")}`);
  if (filter.to) clauses.push(`r.created_at < ${bind(filter.to.toISOString(), "timestamptz")}`);
  if (filter.agent) {
    statements.push({ text: "SELECT id FROM staff_user WHERE id = $1::uuid", values: [filter.agent] });
    clauses.push(`r.actor_id = ${bind(filter.agent, "uuid")}`);
  }
  if (filter.account && "id" in filter.account) clauses.push(`r.account_id = ${bind(filter.account.id, "int")}`);
  if (filter.account && "username" in filter.account) {
    statements.push({ text: "SELECT id FROM account WHERE lower(username) = $1", values: [filter.account.username] });
  }
  if (filter.ticket) clauses.push(`r.ticket_id = ${bind(filter.ticket, "text")}`);
  if (filter.outcome) clauses.push(`r.outcome = ${bind(filter.outcome, "reset_outcome")}`);
  if (cursor) clauses.push(`(r.created_at, r.id) < (${bind(cursor.createdAt.toISOString(), "timestamptz")}, ${bind(cursor.id, "uuid")})`);
  statements.push({
    text: `SELECT r.id, r.created_at, r.outcome::text AS outcome, r.actor_id, r.actor_name, r.actor_email,
                  r.account_id, a.username, r.ticket_id, r.ticket_url,
                  cardinality(r.added) AS added_count, cardinality(r.removed) AS removed_count, r.failure_reason
             FROM scope_reset r JOIN account a ON a.id = r.account_id
            WHERE ${clauses.length ? clauses.join(" AND ") : "TRUE"}
            ORDER BY r.created_at DESC, r.id DESC
            LIMIT ${bind(limit + 1, "int")}`,
    values,
  });
  return statements;
}

export interface AuditBudget {
  scenario: string;
  limit: string;
  measured: string;
  met: boolean;
}

/** Tops the database up to `count` reset records (with notes and chained audit events); null when it already has them. */
export async function seedResetRecordsIfNeeded(
  databaseUrl: string,
  count: number,
  log: (line: string) => void = console.log,
): Promise<number | null> {
  const existing = await withPg(databaseUrl, async (c) =>
    Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM scope_reset")).rows[0]!.n),
  );
  if (existing >= count) return null;
  const missing = count - existing;
  log(`seeding ${missing.toLocaleString("en")} reset records (+ notes and audit events)…`);
  const config = loadConfig({ ...process.env, SCOPEDESK_ENV: "development", DATABASE_URL: databaseUrl });
  const result = await seedResetRecords(databaseUrl, {
    count: missing,
    seed: `bench-resets-${existing}`,
    helpdeskBaseUrl: config.helpdesk.baseUrl,
    log,
  });
  await withPg(databaseUrl, (c) => c.query("VACUUM ANALYZE scope_reset, account, scope_set"));
  log(
    `seeded ${result.resets.toLocaleString("en")} reset records (${result.failed.toLocaleString("en")} failed) in ${result.seconds.toFixed(1)} s`,
  );
  return result.seconds;
}

interface Samples {
  agents: string[];
  accounts: string[];
  tickets: string[];
  weeks: { from: string; to: string }[];
  total: number;
}

async function sample(databaseUrl: string): Promise<Samples> {
  return withPg(databaseUrl, async (c) => {
    const agents = (await c.query<{ actor_id: string }>("SELECT DISTINCT actor_id FROM scope_reset WHERE actor_id IS NOT NULL")).rows.map(
      (r) => r.actor_id,
    );
    const picks = (
      await c.query<{ account_id: number; ticket_id: string }>(
        "SELECT account_id, ticket_id FROM scope_reset TABLESAMPLE SYSTEM (1) LIMIT 500",
      )
    ).rows;
    const [range] = (await c.query<{ min: Date; max: Date }>("SELECT min(created_at) AS min, max(created_at) AS max FROM scope_reset"))
      .rows;
    const total = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM scope_reset")).rows[0]!.n);
    const weeks: { from: string; to: string }[] = [];
    const day = 86_400_000;
    const first = range!.min.getTime();
    const days = Math.max(7, Math.floor((range!.max.getTime() - first) / day));
    for (let i = 0; i < 50; i++) {
      const start = first + Math.floor(((i * 7919) % (days - 6)) * day);
      weeks.push({ from: new Date(start).toISOString().slice(0, 10), to: new Date(start + 6 * day).toISOString().slice(0, 10) });
    }
    return { agents, accounts: picks.map((p) => String(p.account_id)), tickets: picks.map((p) => p.ticket_id), weeks, total };
  });
}

export async function auditScenarios(input: {
  wants: (name: string) => boolean;
  baseUrl: string;
  cookie: string;
  databaseUrl: string;
  pid: number;
  durationSeconds: number;
  concurrencies: number[];
}): Promise<{ results: ScenarioResult[]; budgets: AuditBudget[]; extra: Record<string, unknown> }> {
  const results: ScenarioResult[] = [];
  const budgets: AuditBudget[] = [];
  const extra: Record<string, unknown> = {};
  const s = await sample(input.databaseUrl);
  const list = (q: string) => `/api/scope-resets?${q}`;
  const filters: { name: string; paths: string[] }[] = [
    { name: "no filter (newest 50)", paths: [list("")] },
    { name: "date range (a week)", paths: s.weeks.map((w) => list(`from=${w.from}&to=${w.to}`)) },
    { name: "preset 30d", paths: [list("range=30d")] },
    { name: "agent", paths: s.agents.map((a) => list(`agent=${a}`)) },
    { name: "account", paths: s.accounts.map((a) => list(`account=${a}`)) },
    { name: "ticket", paths: s.tickets.map((t) => list(`ticket=${t}`)) },
    { name: "outcome failed", paths: [list("outcome=failed")] },
    { name: "outcome succeeded", paths: [list("outcome=succeeded")] },
    {
      name: "agent + failed + week",
      paths: s.weeks.map((w, i) => list(`agent=${s.agents[i % s.agents.length]}&outcome=failed&from=${w.from}&to=${w.to}`)),
    },
  ];

  if (input.wants("audit")) {
    // Later pages: cursors collected by walking a few pages of each filter.
    const deep: string[] = [];
    for (const f of filters.slice(0, 4)) {
      let path = f.paths[0]!;
      for (let page = 0; page < 20; page++) {
        const response = await fetch(`${input.baseUrl}${path}`, { headers: { cookie: input.cookie } });
        const json = (await response.json()) as { nextCursor: string | null };
        if (!json.nextCursor) break;
        const base = path.includes("?") && !path.endsWith("?") ? `${path.replace(/&?cursor=[^&]*/, "")}&` : `${path.replace(/\?$/, "")}?`;
        path = `${base}cursor=${json.nextCursor}`;
        deep.push(path);
      }
    }
    filters.push({ name: "later pages (cursor)", paths: deep });

    for (const f of filters) {
      for (const concurrency of input.concurrencies) {
        const memory = watchPeakMemory(input.pid);
        const app = await httpLoad({
          baseUrl: input.baseUrl,
          paths: f.paths,
          headers: { cookie: input.cookie },
          connections: concurrency,
          durationSeconds: input.durationSeconds,
          warmupSeconds: 2,
          cpuOfPid: input.pid,
        });
        const peakMemoryMb = round(memory.stop(), 0);
        const limit = await directLoad(
          input.databaseUrl,
          (i) => directAuditList(f.paths[i % f.paths.length]!),
          Math.max(400, app.requests),
          concurrency,
        );
        results.push({
          scenario: `audit list: ${f.name}`,
          concurrency,
          app,
          limit,
          ratio: ratio(app.p95, limit.p95),
          peakMemoryMb,
          cpu: app.cpu,
        });
      }
      // The budget is for 20 concurrent clients (the most the run drives).
      const busiest = results.filter((r) => r.scenario === `audit list: ${f.name}`).sort((a, b) => b.concurrency - a.concurrency)[0];
      if (busiest) {
        budgets.push({
          scenario: `audit list: ${f.name} (${busiest.concurrency} clients)`,
          limit: "p95 ≤ 50 ms",
          measured: `${busiest.app.p95} ms (p50 ${busiest.app.p50} ms, ${busiest.app.requests} requests, ${busiest.app.non2xx ?? 0} non-2xx)`,
          met: busiest.app.p95 <= 50 && (busiest.app.non2xx ?? 0) === 0,
        });
      }
    }
  }

  if (input.wants("export")) {
    // What the server held before the export started, so the export's own share can be told apart.
    const before = round(rssMb(input.pid), 0);
    const memory = watchPeakMemory(input.pid);
    const started = performance.now();
    const response = await fetch(`${input.baseUrl}/api/scope-resets/export?format=csv`, { headers: { cookie: input.cookie } });
    if (!response.ok || !response.body) throw new Error(`export answered ${response.status}`);
    let bytes = 0;
    let lines = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
    }
    const seconds = (performance.now() - started) / 1000;
    const peak = round(memory.stop(), 0);
    const direct = await directExport(input.databaseUrl);
    extra.auditExportCsv = {
      rows: lines - 1,
      expectedRows: s.total,
      megabytes: round(bytes / 1e6, 1),
      seconds: round(seconds, 2),
      serverRssBeforeMb: before,
      peakServerRssMb: peak,
      directCopySeconds: direct.seconds,
      directCopyMegabytes: direct.megabytes,
    };
    budgets.push({
      scenario: `CSV export of all ${s.total.toLocaleString("en")} reset records`,
      limit: "< 20 s, server peak RSS < 300 MB",
      measured: `${round(seconds, 2)} s (the same COPY straight through \`pg\`: ${direct.seconds} s), ${round(bytes / 1e6, 1)} MB, ${lines - 1} rows, peak RSS ${peak} MB (${before} MB before it started)`,
      met: seconds < 20 && peak < 300 && lines - 1 >= s.total,
    });
  }
  return { results, budgets, extra };
}

/** The export's own COPY statement (no filter, as a lead's full export) straight through `pg`, read and dropped. */
async function directExport(databaseUrl: string): Promise<{ seconds: number; megabytes: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    let bytes = 0;
    await client.query("BEGIN READ ONLY");
    for await (const chunk of client.query(copyTo(exportSql("csv", Prisma.sql`TRUE`))) as AsyncIterable<Buffer>) bytes += chunk.length;
    await client.query("COMMIT");
    return { seconds: round((performance.now() - started) / 1000, 2), megabytes: round(bytes / 1e6, 1) };
  } finally {
    await client.end();
  }
}
