import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/platform/db";
import { createAccount, createScopeReset, staffByEmail } from "../support/factories";
import { anonymousFetch, signIn, type HttpSession } from "../support/http-session";

/**
 * The audit API with real sign-in. Known data lives in a random 20-day window (the db audit tests use 2020, the e2e 2021)
 * in 2022 (nothing else writes there) by the seeded agents Alex and Blair.
 */
let lead: HttpSession, agent: HttpSession, viewer: HttpSession, admin: HttpSession;
let alex: Awaited<ReturnType<typeof staffByEmail>>, blair: Awaited<ReturnType<typeof staffByEmail>>;
const DAY = 86_400_000;
const BASE = Date.UTC(2022, 0, 1) + Math.floor(Math.random() * 300) * DAY;
const day = (n: number) => new Date(BASE + n * DAY).toISOString().slice(0, 10);
const RANGE = `from=${day(0)}&to=${day(19)}`;
const ids: { alex: string[]; blair: string[] } = { alex: [], blair: [] };
let accountId = 0;

type ListBody = { items: { id: string; actor: { id: string }; outcome: string; ticket: { url: string } }[]; nextCursor: string | null };

async function list(
  session: HttpSession,
  query: string,
): Promise<{ status: number; body: ListBody & { error?: { code: string; message: string } } }> {
  const response = await session.fetch(`/api/scope-resets?${query}`);
  return { status: response.status, body: (await response.json()) as ListBody & { error?: { code: string; message: string } } };
}

async function all(session: HttpSession, query: string, limit = 3): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const { status, body } = await list(session, `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(status).toBe(200);
    seen.push(...body.items.map((i) => i.id));
    cursor = body.nextCursor;
  } while (cursor);
  return seen;
}

beforeAll(async () => {
  [lead, agent, viewer, admin] = await Promise.all([
    signIn("lead@scopedesk.test"),
    signIn("agent@scopedesk.test"),
    signIn("viewer@scopedesk.test"),
    signIn("admin@scopedesk.test"),
  ]);
  [alex, blair] = await Promise.all([staffByEmail("agent@scopedesk.test"), staffByEmail("agent2@scopedesk.test")]);
  const account = await createAccount();
  accountId = account.id;
  for (let i = 0; i < 10; i++) {
    const who = i % 2 === 0 ? alex : blair;
    const reset = await createScopeReset({
      accountId,
      actor: { id: who.id, name: who.name, email: who.email },
      outcome: i % 3 === 0 ? "failed" : "succeeded",
      createdAt: new Date(BASE + i * DAY + 3_600_000),
    });
    (who === alex ? ids.alex : ids.blair).unshift(reset.id);
  }
});

describe("GET /api/scope-resets", () => {
  it("lists a lead everything in the range, newest first, page by page", async () => {
    const everything = await all(lead, RANGE);
    expect(everything).toHaveLength(10);
    const { body } = await list(lead, `${RANGE}&limit=1`);
    expect(body.items[0]!.ticket.url).toMatch(/^https:\/\/scopedesk\.zendesk\.com\/agent\/tickets\/\d+$/);
    expect(await all(admin, RANGE, 4)).toEqual(everything);
  });

  it("filters by agent, outcome and account together", async () => {
    const failedByAlex = await all(lead, `${RANGE}&agent=${alex.id}&outcome=failed&account=${accountId}`);
    // i = 0, 6 are Alex's failures (i % 3 === 0 and even).
    expect(failedByAlex).toHaveLength(2);
    expect(failedByAlex.every((id) => ids.alex.includes(id))).toBe(true);
  });

  it("shows an agent only their own resets, even when asking for someone else's", async () => {
    expect(await all(agent, RANGE)).toEqual(ids.alex);
    expect(await all(agent, `${RANGE}&agent=${blair.id}`)).toEqual([]);
  });

  it("refuses a viewer with 403 and a signed-out caller with 401", async () => {
    expect((await list(viewer, RANGE)).status).toBe(403);
    expect((await anonymousFetch(`/api/scope-resets?${RANGE}`)).status).toBe(401);
  });

  it.each([
    ["an inverted range", `from=${day(5)}&to=${day(1)}`, /inverted/],
    ["an absurd date", "from=1970-01-01", /between 2020-01-01/],
    ["a preset and dates", `range=7d&from=${day(1)}`, /not both/],
    ["an unknown agent", "agent=00000000-0000-4000-8000-000000000000", /Unknown agent/],
    ["a malformed agent", "agent=alex", /UUID/],
    ["a malformed cursor", "cursor=%%%", /cursor is malformed/],
    [
      "a forged cursor",
      `cursor=${Buffer.from('{"k":"x","t":"2022-01-01T00:00:00.000Z","i":"00000000-0000-4000-8000-000000000000"}').toString("base64url")}`,
      /different filter/,
    ],
    ["a 10,000-character account", `account=${"a".repeat(10_000)}`, /too long/],
    ["a 10,000-character ticket", `ticket=${"1".repeat(10_000)}`, /too long/],
    ["an unknown parameter", "sort=asc", /Unrecognized key/],
    ["a bad limit", "limit=100000", /limit/],
  ])("answers %s with a clear 400", async (_name, query, message) => {
    const { status, body } = await list(lead, query);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "bad_request", message: expect.stringMatching(message) });
  });

  it("refuses a cursor from another filter with 400", async () => {
    const { body } = await list(lead, `${RANGE}&limit=2`);
    expect(body.nextCursor).toBeTruthy();
    const other = await list(lead, `${RANGE}&outcome=failed&cursor=${body.nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.body.error?.message).toMatch(/different filter/);
  });
});

describe("GET /api/scope-resets/{id}/audit", () => {
  it("shows the full record to a lead and hides another agent's reset from an agent", async () => {
    const blairs = ids.blair[0]!;
    const response = await lead.fetch(`/api/scope-resets/${blairs}/audit`);
    expect(response.status).toBe(200);
    const detail = (await response.json()) as {
      id: string;
      before: { scopes: string[] };
      clientIp: string;
      requestId: string;
      diff: unknown[];
    };
    expect(detail).toMatchObject({ id: blairs, clientIp: "192.0.2.10" });
    expect(detail.before.scopes.length).toBeGreaterThan(10);
    expect((await agent.fetch(`/api/scope-resets/${blairs}/audit`)).status).toBe(404);
    expect((await agent.fetch(`/api/scope-resets/${ids.alex[0]}/audit`)).status).toBe(200);
    expect((await viewer.fetch(`/api/scope-resets/${blairs}/audit`)).status).toBe(403);
    expect((await lead.fetch(`/api/scope-resets/not-a-uuid/audit`)).status).toBe(400);
  });
});

describe("GET /api/scope-resets/export", () => {
  it("streams exactly the filtered list as CSV and records the export", async () => {
    const query = `${RANGE}&outcome=succeeded`;
    const listed = await all(lead, query);
    const response = await lead.fetch(`/api/scope-resets/export?${query}&format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename="scope-resets-.*\.csv"/);
    const requestId = response.headers.get("x-request-id")!;
    const lines = (await response.text()).trim().split("\n");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(listed);
    // verified in words (not t/f), and each reset's delivery into the helpdesk.
    const header = lines[0]!.split(",");
    expect(lines.slice(1).map((l) => l.split(",")[header.indexOf("verified")])).toEqual(listed.map(() => "true"));
    expect(header.slice(-2)).toEqual(["notes_delivery", "reply_delivery"]);

    const event = await getDb().auditEvent.findFirst({ where: { action: "audit.export", requestId } });
    expect(event).toMatchObject({
      actorEmail: "lead@scopedesk.test",
      details: { format: "csv", filter: { from: day(0), to: day(19), outcome: "succeeded" } },
    });
  });

  it("streams JSON Lines with the same rows", async () => {
    const listed = await all(lead, RANGE);
    const response = await lead.fetch(`/api/scope-resets/export?${RANGE}&format=jsonl`);
    expect(response.headers.get("content-type")).toMatch(/ndjson/);
    const rows = (await response.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; id: string })
      .filter((r) => r.type === "scope_reset");
    expect(rows.map((r) => r.id)).toEqual(listed);
  });

  it("is for leads and admins only, and refuses bad filters before recording anything", async () => {
    expect((await agent.fetch(`/api/scope-resets/export?${RANGE}&format=csv`)).status).toBe(403);
    expect((await viewer.fetch(`/api/scope-resets/export?${RANGE}&format=csv`)).status).toBe(403);
    const before = await getDb().auditEvent.count({ where: { action: "audit.export" } });
    expect((await lead.fetch(`/api/scope-resets/export?${RANGE}`)).status).toBe(400);
    expect((await lead.fetch(`/api/scope-resets/export?format=xml`)).status).toBe(400);
    expect((await lead.fetch(`/api/scope-resets/export?format=csv&to=2020-01-01&from=2021-01-01`)).status).toBe(400);
    expect(await getDb().auditEvent.count({ where: { action: "audit.export" } })).toBe(before);
  });
});

describe("GET /api/audit/accounts/{id}", () => {
  it("gives the account's timeline, oldest first", async () => {
    const response = await lead.fetch(`/api/audit/accounts/${accountId}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { entries: { type: string; at: string }[] };
    const resets = body.entries.filter((e) => e.type === "reset");
    expect(resets).toHaveLength(10);
    expect([...body.entries.map((e) => e.at)]).toEqual([...body.entries.map((e) => e.at)].sort());
    const mine = (await (await agent.fetch(`/api/audit/accounts/${accountId}`)).json()) as { entries: { type: string }[] };
    expect(mine.entries.filter((e) => e.type === "reset")).toHaveLength(5);
  });
});
