import { randomUUID } from "node:crypto";
import { decode, encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { newSessionSecret } from "@/lib/auth/session-secret";
import { getDb } from "@/lib/platform/db";
import { recordSignIn } from "@/lib/auth/record-sign-in";
import { disableStaff, enableStaff } from "@/lib/auth/staff-admin";
import { LIVE_SESSION_CACHE_MS } from "@/lib/auth/staff-sessions";
import { requestMeta } from "../support/factories";
import { anonymousFetch, BASE_URL, signIn, signOut } from "../support/http-session";

/**
 * Issue 13 against the production build: a session is a live staff_session
 * row of a staff member who is not disabled, with the role in staff_user;
 * knowing the secret that seals tokens is not enough (decision 013).
 */
const COOKIE = "authjs.session-token";
// The development secret that used to be committed in lib/config.ts: an attacker has it.
const OLD_COMMITTED_SECRET = "scopedesk-development-secret-not-for-production-use";
const CACHE_WINDOW = LIVE_SESSION_CACHE_MS + 1_000;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const seal = (claims: Record<string, unknown>, secret = process.env.AUTH_SECRET!) =>
  encode({ token: claims, secret, salt: COOKIE, maxAge: 600 });

const withToken = (token: string) => (path: string) =>
  fetch(`${BASE_URL}${path}`, { redirect: "manual", headers: { cookie: `${COOKIE}=${token}` } });

/** A staff member who signed in (a live session row), and a token naming that session, as Auth.js would seal it. */
async function staffWithToken(role: "viewer" | "agent" | "lead" | "admin") {
  const id = randomUUID();
  const identity = { subject: `http-test#${id}`, email: `revocation-${id}@scopedesk.test`, name: `Revocation ${id.slice(0, 8)}`, role };
  const { staff, sessionSecret } = (await recordSignIn(identity, { maxAgeSeconds: 600 }, requestMeta()))!;
  const token = await seal({ sid: sessionSecret, staffId: staff.id, email: staff.email, name: staff.name, role });
  return { staff, token, get: withToken(token) };
}

/** A page answers a signed-out visitor with a redirect to sign in. */
async function expectSignInRedirect(response: Response) {
  expect(response.status).toBe(307);
  expect(new URL(response.headers.get("location")!, BASE_URL).pathname).toBe("/signin");
}

describe("forged sessions", () => {
  const forgedClaims = () => ({
    sid: newSessionSecret(),
    staffId: randomUUID(),
    email: "mallory@evil.example",
    name: "Mallory",
    role: "admin",
  });

  it("a token sealed with the old committed secret, for a staff id that does not exist, is no session", async () => {
    const get = withToken(await seal(forgedClaims(), OLD_COMMITTED_SECRET));
    expect((await get("/api/accounts?q=legacy")).status).toBe(401);
    expect((await get("/api/scope-resets/export?format=csv")).status).toBe(401);
    await expectSignInRedirect(await get("/"));
    await expectSignInRedirect(await get("/audit"));
  });

  it("even with the real secret, a token naming no session of a real staff member is no session, and nothing is recorded under its name", async () => {
    const get = withToken(await seal(forgedClaims()));
    const exportsBefore = await getDb().auditEvent.count({ where: { action: "audit.export" } });
    expect((await get("/api/accounts?q=legacy")).status).toBe(401);
    expect((await get("/api/scope-resets/export?format=csv")).status).toBe(401);
    await expectSignInRedirect(await get("/"));
    await expectSignInRedirect(await get("/audit"));
    expect(await getDb().auditEvent.count({ where: { action: "audit.export" } })).toBe(exportsBefore);
    expect(await getDb().auditEvent.count({ where: { actorName: "Mallory" } })).toBe(0);
  });

  it("a real session id with another staff member's id is no session", async () => {
    const { staff, token } = await staffWithToken("admin");
    const victim = await staffWithToken("viewer");
    expect((await withToken(token)("/api/accounts?q=legacy")).status).toBe(200);
    const claims = (await decode({ token, secret: process.env.AUTH_SECRET!, salt: COOKIE }))!;
    const swapped = await seal({ ...claims, staffId: victim.staff.id });
    expect(staff.id).not.toBe(victim.staff.id);
    expect((await withToken(swapped)("/api/accounts?q=legacy")).status).toBe(401);
  });
});

describe("revocation", () => {
  it("a token for a disabled staff member is no session", async () => {
    const disabledFirst = await staffWithToken("agent");
    await getDb().staffUser.update({ where: { id: disabledFirst.staff.id }, data: { disabledAt: new Date() } });
    expect((await disabledFirst.get("/api/accounts?q=legacy")).status).toBe(401);
    await expectSignInRedirect(await disabledFirst.get("/"));

    // One in use when they are disabled (npm run staff -- disable) stops within the cache window.
    const inUse = await staffWithToken("agent");
    expect((await inUse.get("/api/accounts?q=legacy")).status).toBe(200);
    await disableStaff(inUse.staff.email, { id: null, name: "http test", email: null }, requestMeta());
    await wait(CACHE_WINDOW);
    expect((await inUse.get("/api/accounts?q=legacy")).status).toBe(401);
  });

  it("a disabled staff member cannot sign in through the IdP, and is told why", async () => {
    const operator = { id: null, name: "http test", email: null };
    await disableStaff("agent2@scopedesk.test", operator, requestMeta());
    try {
      await expect(signIn("agent2@scopedesk.test")).rejects.toThrow(
        /did not produce a session \(ended at [^ ]*\/signin\?error=AccountDisabled/,
      );
    } finally {
      await enableStaff("agent2@scopedesk.test", operator, requestMeta());
    }
    expect(
      (await getDb().auditEvent.findFirst({ where: { action: "auth.sign_in_refused", actorEmail: "agent2@scopedesk.test" } }))?.details,
    ).toMatchObject({
      reason: "disabled",
    });
  });

  it("after sign-out the old cookie is no session, at once", async () => {
    const session = await signIn("viewer@scopedesk.test");
    expect((await session.fetch("/api/accounts?q=legacy")).status).toBe(200);
    const out = await signOut(session);
    expect(out.status).toBe(302);
    expect(new URL(out.headers.get("location")!).pathname).toBe("/signin");
    expect((await session.fetch("/api/accounts?q=legacy")).status).toBe(401);
    await expectSignInRedirect(await session.fetch("/"));
    expect(await (await session.fetch("/api/auth/session")).json()).toBeNull();
    const [signOutEvent] = await getDb().auditEvent.findMany({
      where: { action: "auth.sign_out", actorEmail: "viewer@scopedesk.test" },
      orderBy: { seq: "desc" },
      take: 1,
    });
    expect(signOutEvent).toBeDefined();
  });

  it(`a role changed in the database is the role of the next request after ${CACHE_WINDOW} ms`, async () => {
    const { staff, get } = await staffWithToken("viewer");
    expect((await get("/api/scope-resets")).status).toBe(403);
    await getDb().staffUser.update({ where: { id: staff.id }, data: { role: "lead" } });
    await wait(CACHE_WINDOW);
    expect((await get("/api/scope-resets")).status).toBe(200);
    expect((await get("/api/scope-resets/export?format=jsonl")).status).toBe(200);
    await getDb().staffUser.update({ where: { id: staff.id }, data: { role: "viewer" } });
    await wait(CACHE_WINDOW);
    expect((await get("/api/scope-resets")).status).toBe(403);
    // The session endpoint says the same.
    expect(await (await get("/api/auth/session")).json()).toMatchObject({ user: { id: staff.id, role: "viewer" } });
  });

  it("without any session a page still asks to sign in and the API answers 401", async () => {
    expect((await anonymousFetch("/api/accounts?q=legacy")).status).toBe(401);
    await expectSignInRedirect(await anonymousFetch("/"));
  });
});
