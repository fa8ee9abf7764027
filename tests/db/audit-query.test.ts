import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditExportQuerySchema, auditFilterSchema, auditListQuerySchema } from "@/lib/audit/filters";
import { AppError } from "@/lib/platform/errors";
import { exportScopeResets } from "@/lib/audit/export-scope-resets";
import { eraseJobBacklog, getAuditCharts } from "@/lib/audit/get-audit-charts";
import { getAccountTimeline } from "@/lib/audit/get-account-timeline";
import { getAuditResetDetail } from "@/lib/audit/get-audit-reset";
import { listScopeResets } from "@/lib/audit/list-scope-resets";
import { type AuditViewer } from "@/lib/audit/audit-where";
import { getDb } from "@/lib/platform/db";
import { closePgPool } from "@/lib/platform/pg-pool";
import { getConfig } from "@/lib/platform/config";
import { createAccount, createScopeReset, createStaff, requestMeta } from "../support/factories";

/**
 * Known data in a random 31-day window before 2023 (shown here as March 2024), by two factory
 * agents on two factory accounts:
 *
 *   r1 A acc1 T1 succeeded 03-01 10:00      r4 B acc1 T3 failed    03-05 10:00
 *   r2 A acc1 T2 failed    03-02 10:00      r5 A acc2 T3 succeeded 03-05 10:00 (same instant as r4)
 *   r3 B acc2 T1 succeeded 03-03 10:00      r6 B acc2 T2 succeeded 03-09 23:59:59.999
 */
const list = auditListQuerySchema();
const DAY = 86_400_000;
// A window of its own on every run, inside 2020: the e2e audit spec uses 2021 and the HTTP audit tests 2022
// (all share one test database), so no two files' windows can overlap and reruns never see each other's rows.
const BASE = new Date(Date.UTC(2020, 1, 1) + Math.floor(Math.random() * 300) * DAY);
/** "2024-03-05T10:00:00Z" → the same day-of-month and time in this run's window. */
function at(text: string): Date {
  const d = new Date(text);
  return new Date(BASE.getTime() + (d.getUTCDate() - 1) * DAY + (d.getTime() % DAY));
}
function day(n: number): string {
  return new Date(BASE.getTime() + (n - 1) * DAY).toISOString().slice(0, 10);
}
const MARCH = { from: day(1), to: day(31) };
type Staff = Awaited<ReturnType<typeof createStaff>>;
let agentA: Staff, agentB: Staff, lead: Staff;
let acc1: { id: number; username: string }, acc2: { id: number; username: string };
const T = { T1: "", T2: "", T3: "" };
const r: Record<string, string> = {};

function viewer(s: Staff): AuditViewer {
  return { id: s.id, role: s.role };
}

async function ids(who: Staff, query: Record<string, string>, limit = "200"): Promise<string[]> {
  const page = await listScopeResets(viewer(who), list.parse({ ...query, limit }));
  return page.items.map((i) => i.id);
}

beforeAll(async () => {
  [agentA, agentB, lead] = await Promise.all([createStaff("agent"), createStaff("agent"), createStaff("lead")]);
  acc1 = await createAccount();
  acc2 = await createAccount();
  const base = 900_000_000 + Math.floor(Math.random() * 90_000_000);
  T.T1 = String(base);
  T.T2 = String(base + 1);
  T.T3 = String(base + 2);
  const actor = (s: Staff) => ({ id: s.id, name: s.name, email: s.email });
  const rows = [
    ["r1", agentA, acc1, T.T1, "succeeded", "2024-03-01T10:00:00Z"],
    ["r2", agentA, acc1, T.T2, "failed", "2024-03-02T10:00:00Z"],
    ["r3", agentB, acc2, T.T1, "succeeded", "2024-03-03T10:00:00Z"],
    ["r4", agentB, acc1, T.T3, "failed", "2024-03-05T10:00:00Z"],
    ["r5", agentA, acc2, T.T3, "succeeded", "2024-03-05T10:00:00Z"],
    ["r6", agentB, acc2, T.T2, "succeeded", "2024-03-09T23:59:59.999Z"],
  ] as const;
  for (const [name, who, account, ticketId, outcome, when] of rows) {
    const reset = await createScopeReset({ accountId: account.id, actor: actor(who), ticketId, outcome, createdAt: at(when) });
    r[name] = reset.id;
  }
});

afterAll(async () => {
  await closePgPool();
});

/** Newest first; r4/r5 share an instant, so the id breaks the tie (descending). */
function newestFirst(...names: string[]): string[] {
  const at: Record<string, string> = { r1: "01", r2: "02", r3: "03", r4: "05", r5: "05", r6: "09" };
  return [...names].sort((a, b) => (at[a] === at[b] ? (r[a]! < r[b]! ? 1 : -1) : at[a]! < at[b]! ? 1 : -1)).map((n) => r[n]!);
}

describe("listScopeResets filters", () => {
  it("lists everything in a date range, newest first, with the row's details", async () => {
    expect(await ids(lead, MARCH)).toEqual(newestFirst("r1", "r2", "r3", "r4", "r5", "r6"));
    const page = await listScopeResets(viewer(lead), list.parse({ ...MARCH, ticket: T.T1 }));
    expect(page.items[0]).toMatchObject({
      id: r.r3,
      outcome: "succeeded",
      actor: { id: agentB.id, name: agentB.name },
      account: { id: acc2.id, username: acc2.username },
      ticket: { ticketId: T.T1, url: `https://scopedesk.zendesk.com/agent/tickets/${T.T1}` },
      addedCount: 2,
      removedCount: 0,
    });
  });

  it.each([
    ["from/to days, to inclusive", { from: day(3), to: day(5) }, ["r3", "r4", "r5"]],
    [
      "an exact instant window",
      { from: at("2024-03-05T10:00:00Z").toISOString(), to: at("2024-03-09T23:59:59.999Z").toISOString() },
      ["r4", "r5"],
    ],
    ["agent A", { ...MARCH, agent: "A" }, ["r1", "r2", "r5"]],
    ["account by id", { ...MARCH, account: "acc1" }, ["r1", "r2", "r4"]],
    ["account by username", { ...MARCH, account: "acc1-name" }, ["r1", "r2", "r4"]],
    ["ticket", { ...MARCH, ticket: "T1" }, ["r1", "r3"]],
    ["ticket as a URL", { ...MARCH, ticket: "https://acme.zendesk.com/agent/tickets/T2" }, ["r2", "r6"]],
    ["outcome failed", { ...MARCH, outcome: "failed" }, ["r2", "r4"]],
    ["agent B + succeeded", { ...MARCH, agent: "B", outcome: "succeeded" }, ["r3", "r6"]],
    ["account 2 + ticket 3", { ...MARCH, account: "acc2", ticket: "T3" }, ["r5"]],
    ["agent A + account 1 + failed + days", { from: day(2), to: day(2), agent: "A", account: "acc1", outcome: "failed" }, ["r2"]],
    ["agent B without a date range", { agent: "B" }, ["r3", "r4", "r6"]],
  ])("filters by %s", async (_name, query, expected) => {
    const resolved: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) {
      resolved[k] = v
        .replace(/^A$/, agentA.id)
        .replace(/^B$/, agentB.id)
        .replace(/^acc1-name$/, acc1.username.toUpperCase())
        .replace(/^acc1$/, String(acc1.id))
        .replace(/^acc2$/, String(acc2.id))
        .replace(/T(\d)$/, (_m, n: string) => T[`T${n}` as keyof typeof T]);
    }
    expect(await ids(lead, resolved)).toEqual(newestFirst(...expected));
  });

  it("answers an unknown agent with a 400 and an unknown username with nothing", async () => {
    const error = await listScopeResets(viewer(lead), list.parse({ agent: "00000000-0000-4000-8000-000000000000" })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    expect((error as AppError).message).toMatch(/Unknown agent/);
    expect(await ids(lead, { account: "no-such-user-anywhere" })).toEqual([]);
  });
});

describe("visibility", () => {
  it("shows an agent only their own resets, whatever they ask for", async () => {
    expect(await ids(agentA, MARCH)).toEqual(newestFirst("r1", "r2", "r5"));
    expect(await ids(agentA, { ...MARCH, agent: agentB.id })).toEqual([]);
    expect(await ids(agentA, { ...MARCH, ticket: T.T1 })).toEqual([r.r1]);
  });

  it("hides another agent's reset detail as not found, and shows it to a lead", async () => {
    await expect(getAuditResetDetail(viewer(agentA), r.r3!)).rejects.toMatchObject({ code: "not_found" });
    const detail = await getAuditResetDetail(viewer(lead), r.r3!);
    expect(detail).toMatchObject({ id: r.r3, outcome: "succeeded", actor: { id: agentB.id }, clientIp: "192.0.2.10" });
    expect(detail.notes.before?.body).toMatch(/Scopes BEFORE/);
    expect(detail.notes.admin?.body).toMatch(new RegExp(T.T1));
    expect(detail.diff.flatMap((g) => g.added)).toEqual(["recipients.erasejob.create", "recipients.erasejob.read"]);
    expect((await getAuditResetDetail(viewer(agentB), r.r3!)).id).toBe(r.r3);
  });

  it("shows a failed attempt's reason and what it would have changed", async () => {
    const detail = await getAuditResetDetail(viewer(lead), r.r2!);
    expect(detail).toMatchObject({
      outcome: "failed",
      verified: false,
      after: null,
      failureReason: expect.stringMatching(/stale_preview/),
    });
    expect(detail.notes).toEqual({ before: null, after: null, admin: null });
    expect(detail.diff.flatMap((g) => g.added)).toEqual(["recipients.erasejob.create", "recipients.erasejob.read"]);
  });

  it("refuses a viewer outright", async () => {
    const viewerStaff = await createStaff("viewer");
    await expect(listScopeResets(viewer(viewerStaff), list.parse(MARCH))).rejects.toMatchObject({ code: "forbidden" });
  });

  it("builds an account timeline in order, an agent's limited to their own", async () => {
    const full = await getAccountTimeline(viewer(lead), acc1.id);
    expect(full.entries.map((e) => (e.type === "reset" ? e.reset.id : e.type))).toEqual([
      r.r1,
      "ticket_note",
      "ticket_note",
      "admin_note",
      r.r2,
      r.r4,
    ]);
    const own = await getAccountTimeline(viewer(agentB), acc1.id);
    expect(own.entries.map((e) => (e.type === "reset" ? e.reset.id : e.type))).toEqual([r.r4]);
    await expect(getAccountTimeline(viewer(lead), 1_999_999_999)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("keyset pagination", () => {
  it("walks every page without duplicates or gaps while new resets arrive", async () => {
    const query = { from: day(1), agent: agentB.id };
    const expected = await ids(lead, query);
    expect(expected).toHaveLength(3);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listScopeResets(viewer(lead), list.parse({ ...query, limit: "1", ...(cursor ? { cursor } : {}) }));
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
      // New resets by the same agent arrive between pages (they match the open-ended filter).
      await createScopeReset({
        accountId: acc1.id,
        actor: { id: agentB.id, name: agentB.name, email: agentB.email },
        createdAt: new Date(),
      });
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    // A fresh first page shows the newcomers.
    expect((await ids(lead, query)).length).toBe(6);
  });

  it("refuses a cursor under another filter", async () => {
    const page = await listScopeResets(viewer(lead), list.parse({ ...MARCH, limit: "2" }));
    expect(page.nextCursor).toBeTruthy();
    const other = list.safeParse({ ...MARCH, outcome: "failed", cursor: page.nextCursor! });
    expect(other.success).toBe(false);
  });
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("export", () => {
  const exportQuery = auditExportQuerySchema();

  it("streams exactly the filtered list as CSV and JSON Lines, and records who exported what", async () => {
    const filter = { ...MARCH, account: String(acc1.id) };
    const listed = await ids(lead, filter);
    const meta = requestMeta(`export-test-${crypto.randomUUID()}`);
    const csv = await exportScopeResets(
      { ...viewer(lead), name: lead.name, email: lead.email },
      exportQuery.parse({ ...filter, format: "csv" }),
      meta,
    );
    expect(csv.contentType).toMatch(/text\/csv/);
    const lines = (await readAll(csv.body)).trim().split("\n");
    expect(lines[0]).toMatch(/^id,created_at,outcome,actor_id,actor_name/);
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(listed);
    expect(lines[1]).toContain(T.T3);
    // verified in words, and each reset's delivery into the helpdesk.
    expect(lines[0]).toMatch(/,verified,.*,notes_delivery,reply_delivery$/);
    expect(lines.slice(1).every((l) => /,(true|false),/.test(l))).toBe(true);

    const jsonl = await exportScopeResets(
      { ...viewer(lead), name: lead.name, email: lead.email },
      exportQuery.parse({ ...filter, format: "jsonl" }),
      meta,
    );
    const records = (await readAll(jsonl.body))
      .trim()
      .split("\n")
      .map(
        (l) => JSON.parse(l) as { type: string; id: string; added: string[]; account_id: number; created_at: string; verified: boolean },
      );
    expect(records[0]).toMatchObject({ type: "header", format: "scopedesk.audit-export", version: 2 });
    expect(records.at(-1)).toMatchObject({ type: "seal" });
    const rows = records.filter((r) => r.type === "scope_reset");
    expect(rows.map((x) => x.id)).toEqual(listed);
    expect(rows[0]).toMatchObject({
      account_id: acc1.id,
      created_at: at("2024-03-05T10:00:00Z").toISOString(),
      added: ["recipients.erasejob.create", "recipients.erasejob.read"],
    });

    const events = await getDb().auditEvent.findMany({
      where: { action: "audit.export", requestId: meta.requestId },
      orderBy: { seq: "asc" },
    });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      actorId: lead.id,
      details: { format: "csv", filter: { from: MARCH.from, to: MARCH.to, account: String(acc1.id) }, visibility: "all" },
    });
  });

  it("keeps spreadsheet formulas out of CSV cells", async () => {
    const account = await createAccount();
    await createScopeReset({
      accountId: account.id,
      actor: { id: agentA.id, name: '=HYPERLINK("http://evil")', email: agentA.email },
      createdAt: at("2024-03-15T00:00:00Z"),
    });
    const csv = await exportScopeResets(
      { ...viewer(lead), name: lead.name, email: lead.email },
      exportQuery.parse({ ...MARCH, account: String(account.id), format: "csv" }),
      requestMeta(),
    );
    const text = await readAll(csv.body);
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it("limits an agent's export to their own resets", async () => {
    const csv = await exportScopeResets(
      { ...viewer(agentA), name: agentA.name, email: agentA.email },
      exportQuery.parse({ ...MARCH, format: "csv" }),
      requestMeta(),
    );
    const ids = (await readAll(csv.body))
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(",")[0]);
    expect(ids).toEqual(expect.arrayContaining([r.r1, r.r2, r.r5]));
    expect(ids).not.toContain(r.r3);
  });
});

describe("charts", () => {
  it("counts resets per day by outcome and per agent over the filter", async () => {
    const charts = await getAuditCharts(viewer(lead), auditFilterSchema().parse({ from: day(1), to: day(10), account: String(acc1.id) }));
    expect(charts.perDay).toEqual([
      { day: day(1), succeeded: 1, failed: 0 },
      { day: day(2), succeeded: 0, failed: 1 },
      { day: day(5), succeeded: 0, failed: 1 },
    ]);
    expect(charts.perAgent).toEqual(
      expect.arrayContaining([
        { actorId: agentA.id, name: agentA.name, succeeded: 1, failed: 1 },
        { actorId: agentB.id, name: agentB.name, succeeded: 0, failed: 1 },
      ]),
    );
  });

  it("counts the erase-job backlog by signup cutoff, as a full scan would", async () => {
    const backlog = await eraseJobBacklog({ fresh: true });
    const cutoff = getConfig().signupCutoff;
    const [expected] = await getDb().$queryRaw<{ before: bigint; after: bigint }[]>`
      SELECT count(*) FILTER (WHERE a.signed_up_at < ${cutoff}) AS before, count(*) FILTER (WHERE a.signed_up_at >= ${cutoff}) AS after
        FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE NOT s.has_erase_job`;
    expect(backlog).toMatchObject({
      beforeCutoff: Number(expected!.before),
      afterCutoff: Number(expected!.after),
      cutoff: cutoff.toISOString(),
    });
    expect(backlog.beforeCutoff).toBeGreaterThan(0);
  });
});
