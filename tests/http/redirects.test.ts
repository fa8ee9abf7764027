import { beforeAll, describe, expect, it } from "vitest";
import { OWN_PATHS, REDIRECT_PAYLOADS } from "../support/redirect-payloads";
import { anonymousFetch, BASE_URL, signIn, type HttpSession } from "../support/http-session";

/**
 * Issue 13's open redirect, against the production build: whatever a link
 * puts in callbackUrl, the sign-in page and Auth.js never answer 5xx and
 * never send the browser off-site (the URL parser here resolves Location the
 * way Chromium does: tabs and line breaks dropped, "\" read as "/").
 */
const origin = new URL(BASE_URL).origin;
const asQueryValue = (payload: string) => new URLSearchParams(`x=${payload}`).get("x")!;

function expectOnSite(response: Response) {
  expect(response.status).toBeLessThan(500);
  const location = response.headers.get("location");
  if (location !== null) {
    expect(location).toMatch(/^[\x21-\x7e]*$/);
    expect(new URL(location, `${origin}/signin`).origin).toBe(origin);
  }
}

let agent: HttpSession;
beforeAll(async () => {
  agent = await signIn("agent@scopedesk.test");
});

describe("GET /signin?callbackUrl=<payload>", () => {
  it.each(REDIRECT_PAYLOADS)("signed out, %s renders the page", async (payload) => {
    const response = await anonymousFetch(`/signin?callbackUrl=${payload}`);
    expectOnSite(response);
    expect(response.status).toBe(200);
  });

  it.each(REDIRECT_PAYLOADS)("signed in, %s sends the browser to /", async (payload) => {
    const response = await agent.fetch(`/signin?callbackUrl=${payload}`);
    expectOnSite(response);
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("/");
  });

  it.each(OWN_PATHS)("signed in, the console's own %s is kept", async (path) => {
    const response = await agent.fetch(`/signin?callbackUrl=${encodeURIComponent(path)}`);
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe(path);
  });
});

describe("Auth.js with callbackUrl=<payload>", () => {
  it.each(REDIRECT_PAYLOADS)("GET /api/auth/signin keeps %s on site", async (payload) => {
    expectOnSite(await anonymousFetch(`/api/auth/signin?callbackUrl=${payload}`));
  });

  it.each(REDIRECT_PAYLOADS)("signing in through the development IdP with %s lands on /", async (payload) => {
    const session = await signIn("agent@scopedesk.test", undefined, BASE_URL, { callbackUrl: asQueryValue(payload) });
    expect(session.landedAt).toBe(`${origin}/`);
  });

  it("signing in with one of the console's own paths lands there", async () => {
    const path = "/lookup?q=ops%40acme-legacy.example&ticket=4242";
    const session = await signIn("agent@scopedesk.test", undefined, BASE_URL, { callbackUrl: path });
    expect(session.landedAt).toBe(`${origin}${path}`);
  });
});
