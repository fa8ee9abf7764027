import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_ENDPOINTS } from "@/lib/http/console";
import { getDb } from "@/lib/platform/db";
import { createAccount, POST_CUTOFF_SCOPES, PRE_CUTOFF_SCOPES } from "../support/factories";
import { BASE_URL, openTicket, signIn, type HttpSession } from "../support/http-session";
import { scopeSetFingerprint } from "@/lib/scopes/fingerprint";

/**
 * Issue 13, CSRF: a state-changing console request carrying an agent's cookie
 * is refused (403, nothing changes) unless it is JSON from the console's own
 * origin. Every such endpoint, each way a browser on another page could send one.
 */
let agent: HttpSession;
let lead: HttpSession;
let ticket: { ticketId: string; url: string };
const OWN_ORIGIN = new URL(BASE_URL).origin;
// Another port of this host: a different origin but the same site, so SameSite=Lax cookies are sent.
const SIBLING_ORIGIN = `http://localhost:${Number(new URL(BASE_URL).port) + 1}`;

beforeAll(async () => {
  [agent, lead, ticket] = await Promise.all([signIn("agent@scopedesk.test"), signIn("lead@scopedesk.test"), openTicket()]);
});

/** The agent's cookie with exactly these headers: what a page elsewhere could make the browser send. */
function forged(session: HttpSession, path: string, headers: Record<string, string>, body: string, method = "POST"): Promise<Response> {
  return fetch(`${BASE_URL}${path}`, {
    method,
    headers: { ...headers, cookie: session.cookie },
    body: method === "GET" ? undefined : body,
    redirect: "manual",
  });
}

const JSON_TYPE = { "content-type": "application/json" };
const FORGERIES: [string, Record<string, string>][] = [
  ["another origin", { ...JSON_TYPE, origin: "http://evil.example", "sec-fetch-site": "cross-site" }],
  ["another origin, from a browser without Sec-Fetch-Site", { ...JSON_TYPE, origin: "http://evil.example" }],
  ["a sibling origin on the same site", { ...JSON_TYPE, origin: SIBLING_ORIGIN, "sec-fetch-site": "same-site" }],
  ["Sec-Fetch-Site cross-site", { ...JSON_TYPE, "sec-fetch-site": "cross-site" }],
  ["Sec-Fetch-Site same-site", { ...JSON_TYPE, "sec-fetch-site": "same-site" }],
  ["Sec-Fetch-Site cross-site beside our own Origin", { ...JSON_TYPE, origin: OWN_ORIGIN, "sec-fetch-site": "cross-site" }],
  ["same-origin claimed with another Origin", { ...JSON_TYPE, origin: "http://evil.example", "sec-fetch-site": "same-origin" }],
  ["an opaque origin (sandboxed frame, data: page)", { ...JSON_TYPE, origin: "null", "sec-fetch-site": "cross-site" }],
  ["our host over another scheme", { ...JSON_TYPE, origin: OWN_ORIGIN.replace("http:", "https:") }],
  ["no Origin and no Sec-Fetch-Site", { ...JSON_TYPE }],
  ["text/plain from our own page", { "content-type": "text/plain", origin: OWN_ORIGIN, "sec-fetch-site": "same-origin" }],
  [
    "a text/plain form post from elsewhere",
    { "content-type": "text/plain;charset=UTF-8", origin: "http://evil.example", "sec-fetch-site": "cross-site" },
  ],
  ["a urlencoded form post", { "content-type": "application/x-www-form-urlencoded", origin: OWN_ORIGIN, "sec-fetch-site": "same-origin" }],
  ["a multipart form post", { "content-type": "multipart/form-data; boundary=x", origin: OWN_ORIGIN, "sec-fetch-site": "same-origin" }],
  ["no Content-Type", { origin: OWN_ORIGIN, "sec-fetch-site": "same-origin" }],
  ["a JSON look-alike type", { "content-type": "application/json-patch+json", origin: OWN_ORIGIN, "sec-fetch-site": "same-origin" }],
];

async function expectRefused(response: Response): Promise<void> {
  expect(response.status).toBe(403);
  const json = (await response.json()) as { error: { code: string; message: string; requestId: string; details: { reason: string } } };
  expect(json.error).toMatchObject({
    code: "forbidden",
    message: expect.stringMatching(/application\/json|another site|cross-site/),
    requestId: response.headers.get("x-request-id"),
  });
  expect(["content_type", "origin"]).toContain(json.error.details.reason);
}

/** What a reset, a family reset, a reply or a retry leaves behind for these accounts. */
async function traces(accountIds: number[]) {
  const db = getDb();
  const resets = await db.scopeReset.findMany({ where: { accountId: { in: accountIds } }, select: { id: true } });
  const [scopeSets, deliveries, events] = await Promise.all([
    db.account.findMany({ where: { id: { in: accountIds } }, select: { id: true, scopeSetId: true }, orderBy: { id: "asc" } }),
    db.helpdeskDelivery.findMany({
      where: { resetId: { in: resets.map((r) => r.id) } },
      select: { id: true, status: true, updatedAt: true },
      orderBy: { id: "asc" },
    }),
    db.auditEvent.count({ where: { OR: [{ targetId: { in: accountIds.map(String) } }, { targetId: { in: resets.map((r) => r.id) } }] } }),
  ]);
  return { resets: resets.length, scopeSets, deliveries, events };
}

describe("every state-changing console endpoint refuses a cross-site request", () => {
  it("lists exactly the endpoints covered here", () => {
    const writes = CONSOLE_ENDPOINTS.filter((e) => e.method !== "GET").map((e) => `${e.method} ${e.path}`);
    expect(writes.sort()).toEqual(
      [
        "POST /accounts/:id/approval-requests",
        "POST /accounts/:id/customer-reply",
        "POST /accounts/:id/family-resets",
        "POST /accounts/:id/scope-resets",
        // Their forged requests: tests/http/approvals.test.ts ("CSRF").
        "POST /approvals/:id/approve",
        "POST /approvals/:id/cancel",
        "POST /approvals/:id/deny",
        "POST /approvals/:id/execute",
        "POST /family-resets/:id/customer-reply",
        "POST /audit/chain-verifications",
        "POST /helpdesk-deliveries/:id/retry",
        "POST /scope-resets/:id/customer-reply",
      ].sort(),
    );
  });

  it.each(FORGERIES)("POST /api/accounts/{id}/scope-resets: %s is 403 and changes nothing", async (_name, headers) => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const before = await traces([account.id]);
    const body = JSON.stringify({
      ticket: ticket.url,
      idempotencyKey: randomUUID(),
      expectedFingerprint: scopeSetFingerprint(PRE_CUTOFF_SCOPES),
    });
    await expectRefused(await forged(agent, `/api/accounts/${account.id}/scope-resets`, headers, body));
    expect(await traces([account.id])).toEqual(before);
  });

  it("resets from the console's own origin with JSON, with or without Origin, and with a charset", async () => {
    const ways: Record<string, string>[] = [
      { "content-type": "application/json", origin: OWN_ORIGIN, "sec-fetch-site": "same-origin" },
      { "content-type": "application/json; charset=utf-8", "sec-fetch-site": "same-origin" },
      { "content-type": "application/json", origin: OWN_ORIGIN },
    ];
    for (const headers of ways) {
      const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
      const body = JSON.stringify({
        ticket: ticket.url,
        idempotencyKey: randomUUID(),
        expectedFingerprint: scopeSetFingerprint(PRE_CUTOFF_SCOPES),
      });
      const response = await forged(agent, `/api/accounts/${account.id}/scope-resets`, headers, body);
      expect(response.status, JSON.stringify(headers)).toBe(201);
    }
  });

  it("POST /api/accounts/{id}/family-resets: refused every way, then done from the console", async () => {
    const parent = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const sub = await createAccount({ scopes: PRE_CUTOFF_SCOPES, parentId: parent.id });
    const preview = (await (await agent.fetch(`/api/accounts/${parent.id}/family-resets`)).json()) as {
      parent: { expectedFingerprint: string };
      subusers: { id: number; expectedFingerprint: string }[];
    };
    const body = JSON.stringify({
      ticket: ticket.url,
      idempotencyKey: randomUUID(),
      parent: { expectedFingerprint: preview.parent.expectedFingerprint },
      subusers: preview.subusers.map((s) => ({ id: s.id, expectedFingerprint: s.expectedFingerprint })),
    });
    const before = await traces([parent.id, sub.id]);
    for (const [name, headers] of FORGERIES) {
      const response = await forged(agent, `/api/accounts/${parent.id}/family-resets`, headers, body);
      expect(response.status, name).toBe(403);
      await expectRefused(response);
    }
    expect(await traces([parent.id, sub.id])).toEqual(before);
    const done = await agent.fetch(`/api/accounts/${parent.id}/family-resets`, { method: "POST", headers: JSON_TYPE, body });
    expect(done.status).toBe(201);
    expect((await traces([parent.id, sub.id])).resets).toBe(2);

    // The family's one reply: refused every way, then sent from the console.
    const { familyResetId } = (await done.json()) as { familyResetId: string };
    const family = (await (await agent.fetch(`/api/family-resets/${familyResetId}`)).json()) as {
      reply: { draft: { text: string; factsFingerprint: string } };
    };
    const replyBody = JSON.stringify({ text: family.reply.draft.text, factsFingerprint: family.reply.draft.factsFingerprint });
    const replies = () => getDb().helpdeskDelivery.count({ where: { familyResetId, kind: "customer_reply" } });
    for (const [name, headers] of FORGERIES) {
      const response = await forged(agent, `/api/family-resets/${familyResetId}/customer-reply`, headers, replyBody);
      expect(response.status, name).toBe(403);
      await expectRefused(response);
    }
    expect(await replies()).toBe(0);
    const sent = await agent.fetch(`/api/family-resets/${familyResetId}/customer-reply`, {
      method: "POST",
      headers: JSON_TYPE,
      body: replyBody,
    });
    expect(sent.status).toBe(201);
    expect(await replies()).toBe(1);
  });

  it("POST /api/accounts/{id}/customer-reply (nothing to reset): refused every way, then sent from the console", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const got = (await (await agent.fetch(`/api/accounts/${account.id}/customer-reply`)).json()) as {
      draft: { text: string; factsFingerprint: string };
    };
    const body = JSON.stringify({ ticket: ticket.url, text: got.draft.text, factsFingerprint: got.draft.factsFingerprint });
    const replies = () => getDb().helpdeskDelivery.count({ where: { accountId: account.id, kind: "customer_reply" } });
    for (const [name, headers] of FORGERIES) {
      const response = await forged(agent, `/api/accounts/${account.id}/customer-reply`, headers, body);
      expect(response.status, name).toBe(403);
      await expectRefused(response);
    }
    expect(await replies()).toBe(0);
    const sent = await agent.fetch(`/api/accounts/${account.id}/customer-reply`, { method: "POST", headers: JSON_TYPE, body });
    expect(sent.status).toBe(201);
    expect(await replies()).toBe(1);
  });

  it("POST /api/scope-resets/{id}/customer-reply and /api/helpdesk-deliveries/{id}/retry: refused every way, then done from the console", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const reset = await agent.fetch(`/api/accounts/${account.id}/scope-resets`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({
        ticket: ticket.url,
        idempotencyKey: randomUUID(),
        expectedFingerprint: scopeSetFingerprint(PRE_CUTOFF_SCOPES),
      }),
    });
    expect(reset.status).toBe(201);
    const resetId = ((await reset.json()) as { reset: { id: string } }).reset.id;
    // No worker runs beside the HTTP tests: the notes stay queued, so a retry is allowed.
    const note = await getDb().helpdeskDelivery.findFirstOrThrow({ where: { resetId, kind: "scopes_before" }, select: { id: true } });
    const view = (await (await agent.fetch(`/api/scope-resets/${resetId}`)).json()) as { reply: { draft: { factsFingerprint: string } } };
    const factsFingerprint = view.reply.draft.factsFingerprint;

    const before = await traces([account.id]);
    for (const [name, headers] of FORGERIES) {
      const reply = await forged(
        agent,
        `/api/scope-resets/${resetId}/customer-reply`,
        headers,
        JSON.stringify({ text: "Forged reply", factsFingerprint }),
      );
      expect(reply.status, `reply: ${name}`).toBe(403);
      await expectRefused(reply);
      const retry = await forged(agent, `/api/helpdesk-deliveries/${note.id}/retry`, headers, "{}");
      expect(retry.status, `retry: ${name}`).toBe(403);
      await expectRefused(retry);
    }
    expect(await traces([account.id])).toEqual(before);

    const reply = await agent.fetch(`/api/scope-resets/${resetId}/customer-reply`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ text: "Your key needs renewing.", factsFingerprint }),
    });
    expect(reply.status).toBe(201);
    const retry = await agent.fetch(`/api/helpdesk-deliveries/${note.id}/retry`, { method: "POST", headers: JSON_TYPE, body: "{}" });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ status: "queued" });
  });
});

describe("GET /api/scope-resets/export (it appends an audit event)", () => {
  const path = "/api/scope-resets/export?format=jsonl&range=today";
  const exports = () => getDb().auditEvent.count({ where: { action: "audit.export" } });

  it.each(["cross-site", "same-site"])("is refused when the browser says %s, and records nothing", async (site) => {
    const before = await exports();
    const response = await forged(lead, path, { "sec-fetch-site": site, "sec-fetch-mode": "navigate" }, "", "GET");
    await expectRefused(response);
    expect(await exports()).toBe(before);
  });

  it.each(["same-origin", "none"])("is served from the console's link or a typed address (%s)", async (site) => {
    const before = await exports();
    const response = await forged(lead, path, { "sec-fetch-site": site, "sec-fetch-mode": "navigate" }, "", "GET");
    expect(response.status).toBe(200);
    await response.text();
    expect(await exports()).toBe(before + 1);
  });
});

describe("safe methods need no origin", () => {
  it("reads with the cookie alone (a GET changes nothing but the export)", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const response = await forged(agent, `/api/accounts/${account.id}`, {}, "", "GET");
    expect(response.status).toBe(200);
  });

  it("POST /api/audit/chain-verifications: refused every way, records nothing, then done from the console", async () => {
    const count = () =>
      Promise.all([
        getDb().auditVerification.count(),
        getDb().auditEvent.count({ where: { action: "audit.chain_verification_requested" } }),
      ]);
    const before = await count();
    for (const [name, headers] of FORGERIES) {
      const response = await forged(lead, "/api/audit/chain-verifications", headers, "{}");
      expect(response.status, name).toBe(403);
      await expectRefused(response);
    }
    expect(await count()).toEqual(before);
    const done = await lead.fetch("/api/audit/chain-verifications", { method: "POST", headers: JSON_TYPE, body: "{}" });
    expect([200, 201]).toContain(done.status);
  });
});
