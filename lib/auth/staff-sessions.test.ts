import { encode } from "next-auth/jwt";
import { describe, expect, it, vi } from "vitest";
import { newSessionSecret, sessionKeyOf } from "@/lib/auth/session-secret";
import { createStaffSessions, LIVE_SESSION_CACHE_MS, type CookieReader, type SessionClaims, type StaffSession } from "./staff-sessions";

const SECRET = "unit-test-secret-of-at-least-thirty-two-characters";
const COOKIE = "authjs.session-token";
const STAFF: StaffSession = { id: "6f1c1f6e-8b8a-4c1e-9d55-0c4b9e0a7f10", email: "a@scopedesk.test", name: "A", role: "lead" };

function jar(cookies: Record<string, string>): CookieReader {
  return {
    get: (name) => (name in cookies ? { value: cookies[name]! } : undefined),
    getAll: () => Object.entries(cookies).map(([name, value]) => ({ name, value })),
  };
}

async function token(overrides: Record<string, unknown> = {}, options: { salt?: string; maxAge?: number } = {}) {
  const sid = newSessionSecret();
  const claims = { sid, staffId: STAFF.id, email: STAFF.email, name: STAFF.name, role: "viewer", ...overrides };
  return { sid, value: await encode({ token: claims, secret: SECRET, salt: options.salt ?? COOKIE, maxAge: options.maxAge ?? 600 }) };
}

function setUp(findLiveStaff: (claims: SessionClaims) => Promise<StaffSession | null> = async () => STAFF) {
  let clock = Date.now();
  const lookup = vi.fn(findLiveStaff);
  const sessions = createStaffSessions({ secret: () => SECRET, findLiveStaff: lookup, now: () => clock });
  return { sessions, lookup, advance: (ms: number) => (clock += ms) };
}

describe("staff sessions", () => {
  it("answers with the staff member as the database has them, not as the token says", async () => {
    const { sessions, lookup } = setUp();
    const t = await token({ role: "viewer" });
    expect(await sessions.authenticate(jar({ [COOKIE]: t.value }))).toEqual(STAFF);
    expect(lookup).toHaveBeenCalledWith(expect.objectContaining({ sessionKey: sessionKeyOf(t.sid), staffId: STAFF.id }));
  });

  it("is no session without a cookie, with a token the database does not know, or with a foreign token", async () => {
    const { sessions, lookup } = setUp(async () => null);
    expect(await sessions.authenticate(jar({}))).toBeNull();
    expect(lookup).not.toHaveBeenCalled();
    expect(await sessions.authenticate(jar({ [COOKIE]: (await token()).value }))).toBeNull();
    const foreign = await encode({
      token: { sid: newSessionSecret(), staffId: STAFF.id, email: "x", name: "x", role: "admin" },
      secret: "another-secret-of-at-least-thirty-two-chars",
      salt: COOKIE,
      maxAge: 600,
    });
    expect(await sessions.authenticate(jar({ [COOKIE]: foreign }))).toBeNull();
    expect(lookup).toHaveBeenCalledTimes(1);
  });

  it.each([
    ["without a session id", { sid: undefined }],
    ["with a malformed session id", { sid: "short" }],
    ["with an unknown role", { role: "superuser" }],
    ["with a staff id that is no UUID", { staffId: "42" }],
  ])("refuses a token %s before asking the database", async (_what, overrides) => {
    const { sessions, lookup } = setUp();
    expect(await sessions.authenticate(jar({ [COOKIE]: (await token(overrides)).value }))).toBeNull();
    expect(lookup).not.toHaveBeenCalled();
  });

  it("refuses an expired token", async () => {
    const { sessions } = setUp();
    expect(await sessions.authenticate(jar({ [COOKIE]: (await token({}, { maxAge: -60 })).value }))).toBeNull();
  });

  it("keys decoded tokens by cookie name and value: a token moved to the other cookie name is no session", async () => {
    const { sessions } = setUp();
    const t = await token();
    expect(await sessions.authenticate(jar({ [COOKIE]: t.value }))).toEqual(STAFF);
    expect(await sessions.authenticate(jar({ [`__Secure-${COOKIE}`]: t.value }))).toBeNull();
  });

  it("reads a token split into chunks whole", async () => {
    const { sessions } = setUp();
    const t = await token();
    const half = Math.ceil(t.value.length / 2);
    expect(await sessions.authenticate(jar({ [`${COOKIE}.1`]: t.value.slice(half), [`${COOKIE}.0`]: t.value.slice(0, half) }))).toEqual(
      STAFF,
    );
  });

  it(`asks the database again once ${LIVE_SESSION_CACHE_MS} ms have passed, so a revoked session ends within that window`, async () => {
    let live = true;
    const { sessions, lookup, advance } = setUp(async () => (live ? STAFF : null));
    const cookies = jar({ [COOKIE]: (await token()).value });
    expect(await sessions.authenticate(cookies)).toEqual(STAFF);
    live = false;
    advance(LIVE_SESSION_CACHE_MS - 1);
    expect(await sessions.authenticate(cookies)).toEqual(STAFF);
    expect(lookup).toHaveBeenCalledTimes(1);
    advance(1);
    expect(await sessions.authenticate(cookies)).toBeNull();
    expect(lookup).toHaveBeenCalledTimes(2);
  });

  it("forgets a session at once when told (sign-out in this process)", async () => {
    let live = true;
    const { sessions } = setUp(async () => (live ? STAFF : null));
    const t = await token();
    const cookies = jar({ [COOKIE]: t.value });
    expect(await sessions.authenticate(cookies)).toEqual(STAFF);
    live = false;
    sessions.forget(sessionKeyOf(t.sid));
    expect(await sessions.authenticate(cookies)).toBeNull();
  });

  it("shares one database read between concurrent requests, and does not keep a failed one", async () => {
    let fail = true;
    const { sessions, lookup } = setUp(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fail) throw new Error("database down");
      return STAFF;
    });
    const cookies = jar({ [COOKIE]: (await token()).value });
    const results = await Promise.allSettled([sessions.authenticate(cookies), sessions.authenticate(cookies)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(lookup).toHaveBeenCalledTimes(1);
    fail = false;
    expect(await sessions.authenticate(cookies)).toEqual(STAFF);
    expect(lookup).toHaveBeenCalledTimes(2);
  });
});
