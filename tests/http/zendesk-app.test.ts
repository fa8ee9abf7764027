import { generateKeyPairSync, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { disableStaff } from "@/lib/auth/staff-admin";
import { getDb } from "@/lib/platform/db";
import { createAccount, createStaff, PRE_CUTOFF_SCOPES, requestMeta } from "../support/factories";
import { anonymousFetch, BASE_URL, signIn, type HttpSession } from "../support/http-session";
import { appToken, DEV_ZENDESK_URL, newTicket, zendeskAgent } from "../support/zendesk-app";

/**
 * The Zendesk ticket-sidebar app against the production build (decision 030):
 * Zendesk's signed first load opens a sidebar session of Scopedesk's own,
 * anything else gets a refusal page and no data; the session then works the
 * console's own endpoints with the console's permissions, its writes need its
 * CSRF token; only the configured Zendesk may frame the sidebar.
 */
const db = getDb();
const ZENDESK_ORIGIN = new URL(DEV_ZENDESK_URL).origin;
const OWN_ORIGIN = new URL(BASE_URL).origin;
let agent: HttpSession;

beforeAll(async () => {
  agent = await signIn("agent@scopedesk.test");
});

/** Zendesk's frame posting the signed form, as the ticket page does. */
function signedLoad(token: string, query = `origin=${encodeURIComponent(ZENDESK_ORIGIN)}&app_guid=${randomUUID()}`): Promise<Response> {
  return anonymousFetch(`/api/zendesk-app/sidebar?${query}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: ZENDESK_ORIGIN, "sec-fetch-site": "cross-site" },
    body: new URLSearchParams({ token }).toString(),
  });
}

interface Sidebar {
  credential: string;
  /** As the sidebar page calls the API: its session header, from its own origin. */
  fetch(path: string, init?: RequestInit & { csrf?: boolean }): Promise<Response>;
}

async function openSidebar(email: string): Promise<Sidebar> {
  const response = await signedLoad(await appToken({ email }));
  expect(response.status, await response.clone().text()).toBe(303);
  const location = new URL(response.headers.get("location")!, BASE_URL);
  const credential = decodeURIComponent(/^#session=(.+)$/.exec(location.hash)![1]!);
  let csrf: string | null = null;
  function call(path: string, init: RequestInit & { csrf?: boolean } = {}): Promise<Response> {
    return fetch(`${BASE_URL}${path}`, {
      ...init,
      redirect: "manual",
      headers: {
        origin: OWN_ORIGIN,
        "sec-fetch-site": "same-origin",
        "x-scopedesk-sidebar-session": credential,
        ...(init.csrf && csrf ? { "x-scopedesk-csrf": csrf } : {}),
        ...(init.headers as Record<string, string>),
      },
    });
  }
  csrf = ((await (await call("/api/sidebar-session")).json()) as { csrfToken: string }).csrfToken;
  return { credential, fetch: call };
}

/** The same token with its signature's last character changed in the bits base64url leaves unused. */
function respelled(token: string): string {
  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  return `${token.slice(0, -1)}${ALPHABET[ALPHABET.indexOf(token.at(-1)!) ^ 1]}`;
}

async function staffWithAgent(role: "viewer" | "agent" = "agent") {
  const staff = await createStaff(role);
  await zendeskAgent(staff.email);
  return staff;
}

function resetBody(ticketId: string, fingerprint: string) {
  return JSON.stringify({ ticket: ticketId, idempotencyKey: randomUUID(), expectedFingerprint: fingerprint });
}

describe("the signed first load", () => {
  it("opens a sidebar session and continues to the sidebar page with the SDK's query and the credential in the fragment", async () => {
    const staff = await staffWithAgent();
    const guid = randomUUID();
    const response = await signedLoad(
      await appToken({ email: staff.email }),
      `origin=${encodeURIComponent(ZENDESK_ORIGIN)}&app_guid=${guid}`,
    );
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location")!, BASE_URL);
    expect(location.pathname).toBe("/zendesk-app/sidebar");
    expect(Object.fromEntries(location.searchParams)).toEqual({ origin: ZENDESK_ORIGIN, app_guid: guid });
    expect(location.hash).toMatch(/^#session=sds1\.[0-9a-f-]{36}\./);
    // Plain-http development: no cookie (the https mode's cookie is Secure, SameSite=None, Partitioned).
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("reaches the signed load when the admin's Scopedesk URL setting ends in a slash (//api/…): a 308 that keeps the form post", async () => {
    const staff = await staffWithAgent();
    const query = `origin=${encodeURIComponent(ZENDESK_ORIGIN)}&app_guid=${randomUUID()}`;
    const init = {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: ZENDESK_ORIGIN, "sec-fetch-site": "cross-site" },
      body: new URLSearchParams({ token: await appToken({ email: staff.email }) }).toString(),
    };
    const redirect = await anonymousFetch(`//api/zendesk-app/sidebar?${query}`, init);
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get("location")).toBe(`/api/zendesk-app/sidebar?${query}`);
    // The browser posts the same form again there (308 keeps method and body).
    const opened = await anonymousFetch(redirect.headers.get("location")!, init);
    expect(opened.status, await opened.clone().text()).toBe(303);
  });

  it("refuses what Zendesk did not sign for this installation and account, expired or used before, with a refusal page and no session", async () => {
    const staff = await staffWithAgent();
    const foreignKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const forged = await new SignJWT({
      aud: `${ZENDESK_ORIGIN}/api/v2/apps/installations/2000001.json`,
      iss: new URL(ZENDESK_ORIGIN).host,
      sub: "1",
    })
      .setProtectedHeader({ alg: "RS256" })
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(foreignKey);
    const used = await appToken({ email: staff.email });
    expect((await signedLoad(used)).status).toBe(303);
    const cases: [string, string, number, string][] = [
      ["signed with another key", forged, 401, "bad_signature"],
      [
        "for another installation",
        await appToken({ email: staff.email, aud: `${ZENDESK_ORIGIN}/api/v2/apps/installations/9.json` }),
        401,
        "wrong_audience",
      ],
      ["from another Zendesk account", await appToken({ email: staff.email, iss: "acme.zendesk.com" }), 401, "wrong_issuer"],
      ["expired", await appToken({ email: staff.email, expiresInSeconds: -120 }), 401, "expired"],
      ["used before (a replay)", used, 401, "replayed"],
      ["used before, its signature re-spelled (same bytes, another base64url text)", respelled(used), 400, "malformed"],
      ["not a JWT", "not-a-token", 400, "malformed"],
    ];
    const sessionsBefore = await db.staffSession.count({ where: { staffId: staff.id } });
    for (const [what, token, status, refusal] of cases) {
      const response = await signedLoad(token);
      expect(response.status, what).toBe(status);
      expect(response.headers.get("x-scopedesk-refusal"), what).toBe(refusal);
      expect(response.headers.get("location"), what).toBeNull();
      expect(response.headers.get("set-cookie"), what).toBeNull();
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await response.text()).toContain("Scopedesk cannot open here");
    }
    expect(await db.staffSession.count({ where: { staffId: staff.id } })).toBe(sessionsBefore);
  });

  it("refuses an agent who is not a staff member, a disabled staff member, and a Zendesk end user (403)", async () => {
    const strangerEmail = `stranger-${randomUUID()}@scopedesk.test`;
    await zendeskAgent(strangerEmail);
    const disabled = await staffWithAgent();
    await disableStaff(disabled.email, { id: null, name: "test", email: null }, requestMeta());
    const customer = await zendeskAgent(`customer-${randomUUID()}@example.com`, "end-user");
    for (const [token, refusal] of [
      [await appToken({ email: strangerEmail }), "unknown_staff"],
      [await appToken({ email: disabled.email }), "disabled_staff"],
      [await appToken({ userId: customer }), "not_an_agent"],
    ] as const) {
      const response = await signedLoad(token);
      expect(response.status).toBe(403);
      expect(response.headers.get("x-scopedesk-refusal")).toBe(refusal);
    }
  });

  it("takes only Zendesk's form, by POST", async () => {
    const staff = await staffWithAgent();
    const json = await anonymousFetch("/api/zendesk-app/sidebar", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: await appToken({ email: staff.email }) }),
    });
    expect(json.status).toBe(400);
    const get = await anonymousFetch("/api/zendesk-app/sidebar");
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    const big = await anonymousFetch("/api/zendesk-app/sidebar", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `token=${"a".repeat(20_000)}`,
    });
    expect(big.status).toBe(413);
  });

  it("may be framed by the configured Zendesk only: its refusal pages and the sidebar page", async () => {
    const refusal = await signedLoad("not-a-token");
    expect(refusal.headers.get("content-security-policy")).toBe(
      `default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors ${ZENDESK_ORIGIN}`,
    );
    expect(refusal.headers.get("x-frame-options")).toBeNull();
    const page = await anonymousFetch("/zendesk-app/sidebar");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(new RegExp(`frame-ancestors ${ZENDESK_ORIGIN.replace(/\./g, "\\.")}$`));
    expect(page.headers.get("x-frame-options")).toBeNull();
    // Every other page and the API still refuse any frame.
    const console = await agent.fetch("/");
    expect(console.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(console.headers.get("x-frame-options")).toBe("DENY");
    expect((await agent.fetch("/api/me")).headers.get("x-frame-options")).toBe("DENY");
    expect((await anonymousFetch("/zendesk-appx")).headers.get("x-frame-options")).toBe("DENY");
  });
});

describe("the sidebar session", () => {
  it("works the console's endpoints as the console does, and resets with the same confirmation, notes and idempotency", async () => {
    const staff = await staffWithAgent();
    const sidebar = await openSidebar(staff.email);
    const me = (await (await sidebar.fetch("/api/sidebar-session")).json()) as {
      staff: { email: string };
      sidebar: boolean;
      csrfToken: string;
    };
    expect(me).toMatchObject({ staff: { email: staff.email }, sidebar: true, csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const ticketId = await newTicket({ requesterEmail: account.email });
    const view = (await (await sidebar.fetch(`/api/tickets/${ticketId}`)).json()) as { suggestions: { id: number }[] };
    expect(view.suggestions.map((s) => s.id)).toEqual([account.id]);
    const detail = (await (await sidebar.fetch(`/api/accounts/${account.id}`)).json()) as { resetPlan: { previewFingerprint: string } };
    const body = resetBody(ticketId, detail.resetPlan.previewFingerprint);
    const post = (csrf: boolean) =>
      sidebar.fetch(`/api/accounts/${account.id}/scope-resets`, {
        method: "POST",
        csrf,
        headers: { "content-type": "application/json" },
        body,
      });
    const withoutToken = await post(false);
    expect(withoutToken.status).toBe(403);
    expect(((await withoutToken.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe("csrf_token");
    const done = await post(true);
    expect(done.status).toBe(201);
    const reset = (await done.json()) as { reset: { id: string; verified: boolean } };
    expect(reset.reset.verified).toBe(true);
    expect(await db.helpdeskDelivery.count({ where: { resetId: reset.reset.id } })).toBe(2);
    expect((await db.scopeReset.findUniqueOrThrow({ where: { id: reset.reset.id } })).actorId).toBe(staff.id);
    // The same idempotency key again: the first result, nothing twice.
    const again = await post(true);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { replayed: boolean }).replayed).toBe(true);
  });

  it("needs its CSRF token and the console's own origin for a write, whatever else comes with it", async () => {
    const staff = await staffWithAgent();
    const sidebar = await openSidebar(staff.email);
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const detail = (await (await sidebar.fetch(`/api/accounts/${account.id}`)).json()) as { resetPlan: { previewFingerprint: string } };
    const ticketId = await newTicket({ requesterEmail: account.email });
    const attempt = (headers: Record<string, string>, csrf = true) =>
      sidebar.fetch(`/api/accounts/${account.id}/scope-resets`, {
        method: "POST",
        csrf,
        headers: { "content-type": "application/json", ...headers },
        body: resetBody(ticketId, detail.resetPlan.previewFingerprint),
      });
    expect((await attempt({ "x-scopedesk-csrf": "A".repeat(43) }, false)).status).toBe(403);
    expect((await attempt({ origin: ZENDESK_ORIGIN, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await attempt({ "content-type": "application/x-www-form-urlencoded" })).status).toBe(403);
    expect(await db.scopeReset.count({ where: { accountId: account.id } })).toBe(0);
  });

  it("gives a viewer what a viewer has on the console: reading, not resetting", async () => {
    const viewer = await staffWithAgent("viewer");
    const sidebar = await openSidebar(viewer.email);
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const detail = await sidebar.fetch(`/api/accounts/${account.id}`);
    expect(detail.status).toBe(200);
    const { resetPlan } = (await detail.json()) as { resetPlan: { previewFingerprint: string } };
    const ticketId = await newTicket({ requesterEmail: account.email });
    const reset = await sidebar.fetch(`/api/accounts/${account.id}/scope-resets`, {
      method: "POST",
      csrf: true,
      headers: { "content-type": "application/json" },
      body: resetBody(ticketId, resetPlan.previewFingerprint),
    });
    expect(reset.status).toBe(403);
    expect(await db.scopeReset.count({ where: { accountId: account.id } })).toBe(0);
  });

  it("is also accepted as the https mode's cookie, whose writes need the CSRF token all the same", async () => {
    const staff = await staffWithAgent();
    const { credential } = await openSidebar(staff.email);
    const cookie = `__Host-scopedesk-sidebar=${credential}`;
    const me = await fetch(`${BASE_URL}/api/sidebar-session`, { headers: { cookie } });
    expect(me.status).toBe(200);
    const { csrfToken } = (await me.json()) as { csrfToken: string };
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const detail = (await (await fetch(`${BASE_URL}/api/accounts/${account.id}`, { headers: { cookie } })).json()) as {
      resetPlan: { previewFingerprint: string };
    };
    const ticketId = await newTicket({ requesterEmail: account.email });
    const post = (headers: Record<string, string>) =>
      fetch(`${BASE_URL}/api/accounts/${account.id}/scope-resets`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", origin: OWN_ORIGIN, "sec-fetch-site": "same-origin", ...headers },
        body: resetBody(ticketId, detail.resetPlan.previewFingerprint),
      });
    // What another site could make the browser send with the SameSite=None cookie: no token.
    expect((await post({})).status).toBe(403);
    expect((await post({ "x-scopedesk-csrf": csrfToken })).status).toBe(201);
  });

  it("ends when its staff member is disabled (within the 5 s session cache), and a made-up credential is no session", async () => {
    const staff = await staffWithAgent();
    const sidebar = await openSidebar(staff.email);
    expect((await sidebar.fetch("/api/me")).status).toBe(200);
    await disableStaff(staff.email, { id: null, name: "test", email: null }, requestMeta());
    await new Promise((r) => setTimeout(r, 5_200));
    const ended = await sidebar.fetch("/api/me");
    expect(ended.status).toBe(401);
    expect(((await ended.json()) as { error: { message: string } }).error.message).toMatch(/sidebar session has ended/);
    const madeUp = await fetch(`${BASE_URL}/api/me`, { headers: { "x-scopedesk-sidebar-session": `sds1.${staff.id}.${"A".repeat(43)}` } });
    expect(madeUp.status).toBe(401);
  });
});
