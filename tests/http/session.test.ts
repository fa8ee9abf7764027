import { decode, encode } from "next-auth/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { BASE_URL, signIn, type HttpSession } from "../support/http-session";

// The console reads the Auth.js session token itself and keeps decoded tokens
// until their own expiry (lib/auth/staff-sessions.ts): these pin down that it is
// as strict as Auth.js: forged, altered, expired or role-less tokens are no session.
const COOKIE = "authjs.session-token";
// The run's own secret (scripts/test.ts makes one per run).
const secret = process.env.AUTH_SECRET!;

let agent: HttpSession;
let agentToken: string;

beforeAll(async () => {
  agent = await signIn("agent@scopedesk.test");
  agentToken = new RegExp(`${COOKIE.replace(".", "\\.")}=([^;]+)`).exec(agent.cookie)![1]!;
});

const search = (cookie: string) => fetch(`${BASE_URL}/api/accounts?q=legacy`, { headers: { cookie } });

async function minted(claims: Record<string, unknown>, maxAgeSeconds: number, tokenSecret = secret): Promise<string> {
  return encode({ token: claims, secret: tokenSecret, salt: COOKIE, maxAge: maxAgeSeconds });
}

// The signed-in agent's own claims, session id included: a minted token names that live session.
const agentClaims = async () => {
  const claims = (await decode({ token: agentToken, secret, salt: COOKIE }))!;
  return { sid: claims.sid, staffId: claims.staffId, email: claims.email, name: claims.name, role: "agent" };
};

describe("the console session", () => {
  it("a signed-in agent's token works, again and again", async () => {
    for (let i = 0; i < 3; i++) expect((await search(`${COOKIE}=${agentToken}`)).status).toBe(200);
  });

  it("an altered token is no session", async () => {
    const altered = agentToken.slice(0, -4) + (agentToken.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect((await search(`${COOKIE}=${altered}`)).status).toBe(401);
  });

  it("a token sealed with another secret is no session", async () => {
    const forged = await minted(await agentClaims(), 600, "another-secret-of-at-least-thirty-two-chars");
    expect((await search(`${COOKIE}=${forged}`)).status).toBe(401);
  });

  it("a token without a known role is no session", async () => {
    const token = await minted({ ...(await agentClaims()), role: "superuser" }, 600);
    expect((await search(`${COOKIE}=${token}`)).status).toBe(401);
  });

  it("an expired token is no session, also after it was accepted while valid", async () => {
    const expired = await minted(await agentClaims(), -60);
    expect((await search(`${COOKIE}=${expired}`)).status).toBe(401);

    const shortLived = await minted(await agentClaims(), 2);
    expect((await search(`${COOKIE}=${shortLived}`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await search(`${COOKIE}=${shortLived}`)).status).toBe(401);
  });

  it("a token split into chunks, as Auth.js writes large ones, is read whole", async () => {
    const half = Math.ceil(agentToken.length / 2);
    const chunked = `${COOKIE}.0=${agentToken.slice(0, half)}; ${COOKIE}.1=${agentToken.slice(half)}`;
    expect((await search(chunked)).status).toBe(200);
  });
});

describe("GET /api/me", () => {
  it("names the signed-in staff member, the role from the identity provider and what it allows", async () => {
    const lead = await signIn("lead@scopedesk.test");
    const response = await lead.fetch("/api/me");
    expect(response.status).toBe(200);
    const me = (await response.json()) as { email: string; role: string; permissions: string[] };
    expect(me).toMatchObject({ email: "lead@scopedesk.test", role: "lead" });
    expect(me.permissions).toEqual(expect.arrayContaining(["audit:read_all", "audit:export", "scopes:reset"]));

    const agentMe = (await (await agent.fetch("/api/me")).json()) as { role: string; permissions: string[] };
    expect(agentMe.role).toBe("agent");
    expect(agentMe.permissions).not.toContain("audit:read_all");
  });

  it("is 401 without a session", async () => {
    const response = await fetch(`${BASE_URL}/api/me`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
  });
});
