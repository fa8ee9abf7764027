import { beforeAll, describe, expect, it } from "vitest";
import { anonymousFetch, signIn, type HttpSession } from "../support/http-session";

let agent: HttpSession;

beforeAll(async () => {
  agent = await signIn("agent@scopedesk.test");
});

describe("without a session", () => {
  it.each(["/api/accounts?q=legacy", "/api/accounts/100001", "/api/no-such-endpoint"])("GET %s is 401 JSON", async (path) => {
    const response = await anonymousFetch(path);
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(await response.json()).toMatchObject({ error: { code: "unauthenticated" } });
  });

  it("pages redirect to sign-in and come back to where the visitor was going", async () => {
    const response = await anonymousFetch("/accounts/100001");
    expect(response.status).toBeGreaterThanOrEqual(300);
    expect(response.status).toBeLessThan(400);
    expect(response.headers.get("location")).toBe("/signin?callbackUrl=%2Faccounts%2F100001");
  });

  it("GET /api/health is public and reports the database", async () => {
    const response = await anonymousFetch("/api/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok", database: { ok: true } });
  });
});

describe("GET /api/accounts", () => {
  it.each([
    ["100001", "id"],
    ["legacy-acme", "username"],
    ["OPS@ACME-LEGACY.EXAMPLE", "email"],
    ["legacy-acme-eu", "username"],
    // Partial e-mail, domain and company name (decision 037).
    ["ops@acme", "email_prefix"],
    ["acme-legacy.example", "domain"],
    ["Acme Legacy", "company_prefix"],
  ])("finds %s by %s", async (text, matchedBy) => {
    const response = await agent.fetch(`/api/accounts?q=${encodeURIComponent(text)}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: { matchedBy: string; username: string }[] };
    expect(body.results[0]?.matchedBy).toBe(matchedBy);
  });

  it.each([
    ["empty", ""],
    ["whitespace", "   "],
    ["1,000 characters", "x".repeat(1000)],
    ["1,001 characters", "x".repeat(1001)],
  ])("refuses an %s query with a clear 400", async (_label, text) => {
    const response = await agent.fetch(`/api/accounts?q=${encodeURIComponent(text)}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message.length).toBeGreaterThan(10);
  });

  it.each(["'; DROP TABLE account; --", "%_\\", "🦄📧", "a'b\"c", "#", "0", "9999999999999"])(
    "answers %s without a server error",
    async (text) => {
      const response = await agent.fetch(`/api/accounts?q=${encodeURIComponent(text)}`);
      expect([200, 400]).toContain(response.status);
    },
  );

  it.each(["ops@acme", "Acme Legacy", "acme-legacy.example"])(
    "ranks legacy-acme first for %s and pages the rest one at a time",
    async (text) => {
      const seen: { username: string; matchedBy: string }[] = [];
      let cursor: string | null = null;
      do {
        const response: Response = await agent.fetch(
          `/api/accounts?q=${encodeURIComponent(text)}&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        );
        expect(response.status).toBe(200);
        const page = (await response.json()) as { results: { username: string; matchedBy: string }[]; nextCursor: string | null };
        seen.push(...page.results);
        cursor = page.nextCursor;
      } while (cursor && seen.length < 20);
      expect(seen[0]?.username).toBe("legacy-acme");
      expect(new Set(seen.map((r) => r.username)).size).toBe(seen.length);
      if (text !== "ops@acme")
        expect(seen.map((r) => r.username)).toEqual(expect.arrayContaining(["legacy-acme", "legacy-acme-marketing", "legacy-acme-eu"]));
    },
  );

  it("refuses a malformed cursor and an out-of-range limit", async () => {
    expect((await agent.fetch("/api/accounts?q=a&cursor=%%%")).status).toBe(400);
    expect((await agent.fetch("/api/accounts?q=a&limit=1000")).status).toBe(400);
  });
});

describe("GET /api/accounts/{id}", () => {
  it("returns the account with grouped scopes, verdict, keys and subusers", async () => {
    const response = await agent.fetch("/api/accounts/100001");
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      account: { id: 100001, username: "legacy-acme", isSubuser: false },
      verdict: { side: "before", needsReset: true },
      subusers: { total: 2 },
    });
    expect(body.scopes.groups.length).toBeGreaterThan(10);
    expect(body.apiKeys.length).toBeGreaterThan(0);
  });

  it("is 400 for a non-numeric id and 404 for an unknown one", async () => {
    expect((await agent.fetch("/api/accounts/abc")).status).toBe(400);
    expect((await agent.fetch("/api/accounts/1.5")).status).toBe(400);
    const unknown = await agent.fetch("/api/accounts/2147483000");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "not_found" } });
  });
});
