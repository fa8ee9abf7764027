import { describe, expect, it } from "vitest";
import {
  auditExportQuerySchema,
  auditFilterSchema,
  auditListQuerySchema,
  decodeCursor,
  encodeCursor,
  filterKey,
  filterSearchParams,
} from "./filters";

const NOW = new Date("2026-11-23T15:30:00Z");
const list = auditListQuerySchema({ now: () => NOW });
const filterOnly = auditFilterSchema({ now: () => NOW });
const AGENT = "3f2b8c1e-7a4d-4e1b-9c2a-1b2c3d4e5f60";

function parseList(query: Record<string, string | string[] | undefined>) {
  return list.safeParse(query);
}

function messages(query: Record<string, string | string[] | undefined>): string {
  const parsed = parseList(query);
  expect(parsed.success).toBe(false);
  return parsed.success ? "" : parsed.error.issues.map((i) => i.message).join(" | ");
}

describe("audit filters", () => {
  it("defaults to everything, newest first, 50 a page", () => {
    const parsed = list.parse({});
    expect(parsed).toMatchObject({
      cursor: null,
      limit: 50,
      filter: { range: "all", from: null, to: null, agent: null, account: null, ticket: null, outcome: null },
    });
    expect(parsed.filter.params).toEqual({});
  });

  it("treats empty form fields as not set", () => {
    expect(list.parse({ agent: "", account: " ", ticket: "", outcome: "", range: "" }).filter.params).toEqual({});
  });

  it.each([
    ["today", "2026-11-23T00:00:00.000Z"],
    ["7d", "2026-11-17T00:00:00.000Z"],
    ["30d", "2026-10-25T00:00:00.000Z"],
  ])("resolves the %s preset to whole UTC days ending now", (range, from) => {
    const f = filterOnly.parse({ range });
    expect(f.from?.toISOString()).toBe(from);
    expect(f.to).toBeNull();
    expect(f.params).toEqual({ range });
  });

  it("reads from/to as whole UTC days, to inclusive, or as exact instants", () => {
    const days = filterOnly.parse({ from: "2026-11-01", to: "2026-11-02" });
    expect(days).toMatchObject({ range: "custom", from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-11-03T00:00:00Z") });
    const instants = filterOnly.parse({ from: "2026-11-01T09:30:00+02:00", to: "2026-11-01T10:00:00Z" });
    expect(instants.from?.toISOString()).toBe("2026-11-01T07:30:00.000Z");
    expect(instants.to?.toISOString()).toBe("2026-11-01T10:00:00.000Z");
    expect(filterOnly.parse({ from: "2026-11-01" }).to).toBeNull();
  });

  it("normalises agent, account, ticket and outcome", () => {
    const f = filterOnly.parse({
      agent: AGENT.toUpperCase(),
      account: "Legacy-Acme",
      ticket: "https://acme.zendesk.com/agent/tickets/4242",
      outcome: "failed",
    });
    expect(f).toMatchObject({ agent: AGENT, account: { username: "legacy-acme" }, ticket: "4242", outcome: "failed" });
    expect(filterOnly.parse({ account: "100001", ticket: "#77" })).toMatchObject({ account: { id: 100001 }, ticket: "77" });
  });

  it.each([
    [{ from: "2026-11-05", to: "2026-11-01" }, /inverted/],
    [{ from: "2026-11-05T10:00:00Z", to: "2026-11-05T10:00:00Z" }, /inverted or empty/],
    [{ from: "1900-01-01" }, /between 2020-01-01 and tomorrow/],
    [{ to: "9999-12-31" }, /between/],
    [{ from: "2026-02-30" }, /not a calendar date/],
    [{ from: "yesterday" }, /not a date/],
    [{ from: "2026-11-01T10:00:00" }, /not a date/],
    [{ range: "week" }, /range must be one of/],
    [{ range: "7d", from: "2026-11-01" }, /not both/],
    [{ agent: "alex" }, /UUID/],
    [{ account: "0" }, /account id/],
    [{ account: "99999999999" }, /account id/],
    [{ account: "a b" }, /account id/],
    [{ ticket: "https://evil.example/agent/tickets/1" }, /zendesk\.com/],
    [{ outcome: "maybe" }, /succeeded or failed/],
    [{ limit: "0" }, /limit/],
    [{ limit: "201" }, /limit/],
    [{ limit: "ten" }, /limit/],
    [{ agent: [AGENT, AGENT] }, /at most once/],
    [{ sort: "asc" }, /Unrecognized key/],
  ])("refuses %j with a clear message", (query, message) => {
    expect(messages(query)).toMatch(message);
  });

  it.each(["range", "from", "to", "agent", "account", "ticket", "outcome", "cursor", "limit"])("refuses a 10,000-character %s", (key) => {
    expect(messages({ [key]: "x".repeat(10_000) })).toMatch(/too long/);
  });

  it("round-trips a cursor under the same filter and refuses it under another", () => {
    const filter = filterOnly.parse({ range: "7d", outcome: "failed" });
    const last = { createdAt: new Date("2026-11-20T10:00:00.123Z"), id: "0b8f0d2e-8c1e-4a52-9a55-5d1a3c7f9e10" };
    const cursor = encodeCursor(filter, last);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, filter)).toEqual({ ok: true, cursor: last });
    expect(list.parse({ range: "7d", outcome: "failed", cursor, limit: "10" })).toMatchObject({ cursor: last, limit: 10 });

    expect(messages({ range: "7d", outcome: "succeeded", cursor })).toMatch(/different filter/);
    expect(messages({ outcome: "failed", cursor })).toMatch(/different filter/);
  });

  it.each([
    "not-base64!",
    "e30",
    Buffer.from('{"k":"x","t":"nope","i":"1"}').toString("base64url"),
    Buffer.from("[1,2]").toString("base64url"),
  ])("refuses the malformed cursor %s", (cursor) => {
    expect(messages({ cursor })).toMatch(/cursor is malformed/);
  });

  it.each(["0000-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z", "2019-12-31T23:59:59Z"])(
    "refuses a cursor dated %s, before anything was recorded",
    (t) => {
      const cursor = Buffer.from(JSON.stringify({ k: filterKey({ params: {} }), t, i: "0b8f0d2e-8c1e-4a52-9a55-5d1a3c7f9e10" })).toString(
        "base64url",
      );
      expect(messages({ cursor })).toMatch(/cursor is malformed/);
    },
  );

  it("keys a filter by its normalised parameters, not their spelling", () => {
    const a = filterOnly.parse({ ticket: "#4242", account: "LEGACY-acme" });
    const b = filterOnly.parse({ ticket: "https://x.zendesk.com/agent/tickets/4242", account: "legacy-acme" });
    expect(filterKey(a)).toBe(filterKey(b));
    expect(filterKey(a)).not.toBe(filterKey(filterOnly.parse({ ticket: "4243" })));
  });

  it("builds a stable query string for links", () => {
    const f = filterOnly.parse({ outcome: "failed", agent: AGENT, range: "30d" });
    expect(filterSearchParams(f, { format: "csv" }).toString()).toBe(`range=30d&agent=${AGENT}&outcome=failed&format=csv`);
  });

  it("export needs a format and takes no cursor", () => {
    const exportSchema = auditExportQuerySchema({ now: () => NOW });
    expect(exportSchema.parse({ format: "jsonl", outcome: "failed" })).toMatchObject({ format: "jsonl", filter: { outcome: "failed" } });
    expect(exportSchema.safeParse({}).success).toBe(false);
    expect(exportSchema.safeParse({ format: "xml" }).success).toBe(false);
    expect(exportSchema.safeParse({ format: "csv", cursor: "abc" }).success).toBe(false);
  });
});
