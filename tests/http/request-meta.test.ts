import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scopeSetFingerprint } from "@/lib/scopes/fingerprint";
import { getDb } from "@/lib/platform/db";
import { createAccount, PRE_CUTOFF_SCOPES } from "../support/factories";
import { openTicket, signIn, type HttpSession } from "../support/http-session";
import { atStartOfWindowIfNeeded, v3 } from "../support/v3-contract";

/**
 * Issue 13, trusted proxies: with TRUST_PROXY unset (the default, and this
 * server's setting) the address recorded and rate-limited is the peer's, never
 * what a client wrote in X-Forwarded-For. The request id is always ours; a
 * client's well-formed X-Request-Id is stored beside it, labelled as theirs.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const LOOPBACK = ["127.0.0.1", "::1"];
let agent: HttpSession;
let ticket: { ticketId: string; url: string };

beforeAll(async () => {
  [agent, ticket] = await Promise.all([signIn("agent@scopedesk.test"), openTicket()]);
});

function reset(accountId: number, headers: Record<string, string>, expectedFingerprint = scopeSetFingerprint(PRE_CUTOFF_SCOPES)) {
  return agent.fetch(`/api/accounts/${accountId}/scope-resets`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ ticket: ticket.url, idempotencyKey: randomUUID(), expectedFingerprint }),
  });
}

async function recorded(accountId: number) {
  const db = getDb();
  const row = await db.scopeReset.findFirstOrThrow({
    where: { accountId },
    select: { id: true, requestId: true, clientRequestId: true, clientIp: true, outcome: true },
  });
  const event = await db.auditEvent.findFirstOrThrow({
    where: { targetType: "account", targetId: String(accountId) },
    select: { ip: true, requestId: true, details: true },
  });
  return { row, event: { ...event, clientRequestId: (event.details as { clientRequestId?: string }).clientRequestId ?? null } };
}

describe("the reset record and its audit event", () => {
  it("keep the peer's address, not a forged X-Forwarded-For, and our request id with the client's beside it", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const response = await reset(account.id, {
      "x-forwarded-for": "203.0.113.7",
      "x-real-ip": "203.0.113.8",
      "x-request-id": "helpdesk-macro:4242.1",
    });
    expect(response.status).toBe(201);
    const ours = response.headers.get("x-request-id")!;
    expect(ours).toMatch(UUID);

    const { row, event } = await recorded(account.id);
    expect(row).toMatchObject({ outcome: "succeeded", requestId: ours, clientRequestId: "helpdesk-macro:4242.1" });
    expect(LOOPBACK).toContain(row.clientIp);
    expect(event).toMatchObject({ ip: row.clientIp, requestId: ours, clientRequestId: "helpdesk-macro:4242.1" });
  });

  it("keep a failed attempt's client request id too", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const response = await reset(account.id, { "x-forwarded-for": "198.51.100.1", "x-request-id": "retry-7" }, "0".repeat(64));
    expect(response.status).toBe(409);
    const { row, event } = await recorded(account.id);
    expect(row).toMatchObject({ outcome: "failed", requestId: response.headers.get("x-request-id"), clientRequestId: "retry-7" });
    expect(LOOPBACK).toContain(row.clientIp);
    expect(event.clientRequestId).toBe("retry-7");
  });

  it.each([
    ["with spaces", "has spaces in it"],
    ["over 100 characters", "x".repeat(101)],
    ["with a newline-like escape", "id%0d%0aSet-Cookie:x"],
  ])("drop a malformed client request id (%s) and still answer with ours", async (_name, clientId) => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const response = await reset(account.id, { "x-request-id": clientId });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-request-id")).toMatch(UUID);
    const { row, event } = await recorded(account.id);
    expect(row.clientRequestId).toBeNull();
    expect(event.clientRequestId).toBeNull();
  });
});

describe("sign-in, which Next serves", () => {
  it("is audited with the peer's address and our request id, the client's beside it", async () => {
    const clientId = `signin-${randomUUID()}`;
    await signIn("agent2@scopedesk.test", undefined, undefined, {
      headers: { "x-forwarded-for": "203.0.113.9", "x-request-id": clientId },
    });
    const event = await getDb().auditEvent.findFirstOrThrow({
      where: { action: "auth.sign_in", details: { path: ["clientRequestId"], equals: clientId } },
      select: { ip: true, requestId: true },
    });
    expect(LOOPBACK).toContain(event.ip);
    expect(event.requestId).toMatch(UUID);
    const session = await getDb().staffSession.findFirstOrThrow({
      where: { staff: { email: "agent2@scopedesk.test" } },
      orderBy: { createdAt: "desc" },
      select: { ip: true },
    });
    expect(LOOPBACK).toContain(session.ip);
  });
});

describe("the keyless /v3 rate limit", () => {
  // The keyless window of this machine's address is shared with every other test: start and leave it empty.
  const clearLoopbackWindows = () => getDb().$executeRaw`DELETE FROM api_rate_limit WHERE bucket IN ('ip:127.0.0.1', 'ip:::1')`;
  afterAll(clearLoopbackWindows);

  it("counts the real peer, so rotating X-Forwarded-For does not escape it", async () => {
    await atStartOfWindowIfNeeded();
    await clearLoopbackWindows();
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) {
      const response = await v3("/v3/scopes", {
        headers: { "x-forwarded-for": `198.51.100.${i % 250}`, "x-real-ip": `203.0.113.${i % 250}` },
      });
      statuses.push(response.status);
      if (i === 99) expect(response.headers.get("x-ratelimit-remaining")).toBe("0");
      await response.arrayBuffer();
    }
    expect(statuses.slice(0, 100).every((s) => s === 401)).toBe(true);
    expect(statuses[100]).toBe(429);
  });
});
