import { createHash, createPublicKey, randomBytes, verify, type JsonWebKey } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevIdp, type DevIdp } from "./provider";
import { DEV_PASSWORD, DEV_STAFF } from "./users";

const CLIENT_ID = "scopedesk";
const CLIENT_SECRET = "scopedesk-dev-secret";
const REDIRECT_URI = "http://127.0.0.1:3999/api/auth/callback/scopedesk";

/** Just enough of a browser cookie jar: name, value and path; no domains (one host). */
class CookieJar {
  private cookies = new Map<string, { value: string; path: string }>();

  store(res: Response): void {
    for (const header of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = header.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = "/";
      let expired = value === "";
      for (const attr of attrs) {
        const [key = "", val = ""] = attr.split("=");
        if (key.toLowerCase() === "path") path = val;
        if (key.toLowerCase() === "max-age" && Number(val) <= 0) expired = true;
        if (key.toLowerCase() === "expires" && Date.parse(val) <= Date.now()) expired = true;
      }
      const key = `${name}|${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { value, path });
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.cookies.entries()]
      .filter(([, c]) => pathname === c.path || pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`))
      .map(([key, c]) => `${key.split("|")[0]}=${c.value}`)
      .join("; ");
  }
}

interface Browser {
  jar: CookieJar;
  get(url: string): Promise<Response>;
  post(url: string, form: Record<string, string>): Promise<Response>;
}

function browser(): Browser {
  const jar = new CookieJar();
  const send = async (url: string, init: RequestInit) => {
    const headers = new Headers(init.headers);
    const cookie = jar.header(url);
    if (cookie) headers.set("cookie", cookie);
    headers.set("accept", "text/html");
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    jar.store(res);
    return res;
  };
  return {
    jar,
    get: (url) => send(url, { method: "GET" }),
    post: (url, form) =>
      send(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form).toString(),
      }),
  };
}

function location(res: Response, base: string): string {
  const value = res.headers.get("location");
  if (!value) throw new Error(`expected a redirect, got ${res.status}`);
  return new URL(value, base).href;
}

function pkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

function decodePart(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
  jwks_uri: string;
  end_session_endpoint: string;
  code_challenge_methods_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  scopes_supported: string[];
  claims_supported: string[];
}

describe("development identity provider", () => {
  let idp: DevIdp;
  let discovery: Discovery;
  const logs: string[] = [];

  beforeAll(async () => {
    idp = await startDevIdp({ port: 0, redirectUris: [REDIRECT_URI], log: (line) => logs.push(line) });
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    discovery = (await res.json()) as Discovery;
  });

  afterAll(async () => {
    await idp?.close();
  });

  /** Starts an authorization request the way Auth.js does (PKCE, no state or nonce unless asked). */
  async function authorize(b: Browser, extra: Record<string, string> = {}) {
    const { verifier, challenge } = pkcePair();
    const url = new URL(discovery.authorization_endpoint);
    const params = {
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      scope: "openid email profile groups",
      code_challenge: challenge,
      code_challenge_method: "S256",
      ...extra,
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await b.get(url.href);
    expect(res.status).toBe(303);
    return { verifier, next: location(res, idp.issuer) };
  }

  /** Follows redirects within the IdP until one leaves for the client. */
  async function followToClient(b: Browser, url: string): Promise<URL> {
    let next = url;
    for (let i = 0; i < 5; i++) {
      if (next.startsWith(REDIRECT_URI)) return new URL(next);
      const res = await b.get(next);
      expect([302, 303]).toContain(res.status);
      next = location(res, idp.issuer);
    }
    throw new Error("too many redirects");
  }

  async function exchange(code: string, verifier: string, method: "basic" | "post" = "basic", secret = CLIENT_SECRET) {
    const body = new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    if (method === "basic") {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(secret)}`).toString("base64")}`;
    } else {
      body.set("client_id", CLIENT_ID);
      body.set("client_secret", secret);
    }
    return fetch(discovery.token_endpoint, { method: "POST", headers, body });
  }

  it("publishes discovery metadata Auth.js can use", () => {
    expect(discovery.issuer).toBe(idp.issuer);
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(discovery.code_challenge_methods_supported).toContain("S256");
    expect(discovery.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(["client_secret_basic", "client_secret_post"]));
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(["openid", "email", "profile", "groups"]));
    expect(discovery.claims_supported).toEqual(expect.arrayContaining(["email", "email_verified", "name", "groups"]));
    expect(discovery.userinfo_endpoint).toBeTruthy();
    expect(discovery.end_session_endpoint).toBeTruthy();
  });

  it("signs a seeded user in with authorization code + PKCE and puts the claims in the ID token", async () => {
    const b = browser();
    const { verifier, next: loginUrl } = await authorize(b);
    expect(new URL(loginUrl).pathname).toMatch(/^\/interaction\/[\w-]+$/);

    const page = await b.get(loginUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1>");
    expect(html).toMatch(/<label for="email">/);
    expect(html).toMatch(/<label for="password">/);
    expect(html).toContain('autocomplete="username"');
    expect(html).toContain('autocomplete="current-password"');
    expect(html).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(html).not.toContain('role="alert"');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/); // no external resources

    const submitUrl = `${loginUrl}/login`;
    const wrong = await b.post(submitUrl, { email: "agent@scopedesk.test", password: "not-the-password" });
    expect(wrong.status).toBe(401);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain('role="alert"');
    expect(wrongHtml).toContain('value="agent@scopedesk.test"');

    const unknown = await b.post(submitUrl, { email: "intruder@scopedesk.test", password: DEV_PASSWORD });
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('role="alert"');

    const ok = await b.post(submitUrl, { email: "Agent@Scopedesk.test ", password: DEV_PASSWORD });
    expect(ok.status).toBe(303);
    const callback = await followToClient(b, location(ok, idp.issuer));
    expect(callback.searchParams.get("error")).toBeNull();
    expect(callback.searchParams.get("iss")).toBe(idp.issuer);
    const code = callback.searchParams.get("code");
    expect(code).toBeTruthy();

    const tokenRes = await exchange(code ?? "", verifier);
    expect(tokenRes.status).toBe(200);
    const tokens = (await tokenRes.json()) as { id_token: string; access_token: string; token_type: string };
    expect(tokens.token_type).toBe("Bearer");

    const [headerPart, payloadPart, signaturePart] = tokens.id_token.split(".");
    const header = decodePart(headerPart);
    const claims = decodePart(payloadPart);
    expect(header.alg).toBe("RS256");
    expect(claims).toMatchObject({
      iss: idp.issuer,
      aud: CLIENT_ID,
      sub: "dev-agent",
      email: "agent@scopedesk.test",
      email_verified: true,
      name: "Alex Agent",
      groups: ["scopedesk-agent"],
    });
    expect(claims.nonce).toBeUndefined();

    // The signature verifies against the published JWKS.
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: (JsonWebKey & { kid: string })[] };
    const jwk = jwks.keys.find((k) => k.kid === header.kid);
    expect(jwk).toBeDefined();
    expect(jwk).not.toHaveProperty("d");
    const valid = verify(
      "sha256",
      Buffer.from(`${headerPart}.${payloadPart}`),
      createPublicKey({ key: jwk as JsonWebKey, format: "jwk" }),
      Buffer.from(signaturePart ?? "", "base64url"),
    );
    expect(valid).toBe(true);

    const userinfo = () => fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    const info = await userinfo();
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ sub: "dev-agent", email: "agent@scopedesk.test", groups: ["scopedesk-agent"] });

    // Codes are single use; replaying one revokes what it was exchanged for.
    expect((await exchange(code ?? "", verifier)).status).toBe(400);
    expect((await userinfo()).status).toBe(401);

    // Signed in at the IdP now: a second request skips the login page (and
    // any consent page), and client_secret_post works as well.
    const again = await authorize(b, { state: "xyz", nonce: "n-0S6_WzA2Mj" });
    const callback2 = await followToClient(b, again.next);
    expect(callback2.searchParams.get("state")).toBe("xyz");
    const tokenRes2 = await exchange(callback2.searchParams.get("code") ?? "", again.verifier, "post");
    expect(tokenRes2.status).toBe(200);
    const claims2 = decodePart(((await tokenRes2.json()) as { id_token: string }).id_token.split(".")[1]);
    expect(claims2).toMatchObject({ sub: "dev-agent", nonce: "n-0S6_WzA2Mj" });

    expect(logs.some((l) => l.startsWith("[dev-idp] signed in agent@scopedesk.test"))).toBe(true);
    // Passwords never reach the log (DEV_PASSWORD is a substring of the e-mails, so check the wrong one).
    expect(logs.join("\n")).not.toContain("not-the-password");
    expect(logs.join("\n")).not.toMatch(/password/i);
  });

  it.each(DEV_STAFF.map((s) => [s.email, s] as const))("gives %s their groups", async (_email, staff) => {
    const b = browser();
    const { verifier, next } = await authorize(b);
    const ok = await b.post(`${next}/login`, { email: staff.email, password: DEV_PASSWORD });
    expect(ok.status).toBe(303);
    const callback = await followToClient(b, location(ok, idp.issuer));
    const tokens = (await (await exchange(callback.searchParams.get("code") ?? "", verifier)).json()) as { id_token: string };
    expect(decodePart(tokens.id_token.split(".")[1])).toMatchObject({
      sub: staff.sub,
      email: staff.email,
      name: staff.name,
      groups: staff.groups,
    });
  });

  it("ends the IdP session with RP-initiated logout and returns to the app", async () => {
    const b = browser();
    const first = await authorize(b);
    const ok = await b.post(`${first.next}/login`, { email: "admin@scopedesk.test", password: DEV_PASSWORD });
    // The IdP session starts when the browser comes back to the authorization endpoint.
    await followToClient(b, location(ok, idp.issuer));

    const end = new URL(discovery.end_session_endpoint);
    end.searchParams.set("client_id", CLIENT_ID);
    end.searchParams.set("post_logout_redirect_uri", "http://127.0.0.1:3999/signin");
    end.searchParams.set("state", "bye");
    const confirm = await b.get(end.href);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain("<h1>Sign out");
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? "";
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const done = await b.post(new URL(action, idp.issuer).href, { xsrf, logout: "yes" });
    expect(done.status).toBe(303);
    expect(location(done, idp.issuer)).toBe("http://127.0.0.1:3999/signin?state=bye");

    // Signed out at the IdP: the next sign-in shows the login page again.
    const again = await authorize(b);
    expect(new URL(again.next).pathname).toMatch(/^\/interaction\//);
    expect((await b.get(again.next)).status).toBe(200);
  });

  it("refuses a wrong client secret and a wrong PKCE verifier", async () => {
    const b = browser();
    const { verifier, next } = await authorize(b);
    const ok = await b.post(`${next}/login`, { email: "viewer@scopedesk.test", password: DEV_PASSWORD });
    const code = (await followToClient(b, location(ok, idp.issuer))).searchParams.get("code") ?? "";

    const badSecret = await exchange(code, verifier, "basic", "wrong-secret");
    expect(badSecret.status).toBe(401);
    expect(await badSecret.json()).toMatchObject({ error: "invalid_client" });

    const badVerifier = await exchange(code, `${verifier}x`);
    expect(badVerifier.status).toBe(400);
    expect(await badVerifier.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("returns access_denied to the client when the user cancels", async () => {
    const b = browser();
    const { next } = await authorize(b, { state: "s1" });
    const res = await b.get(`${next}/abort`);
    expect(res.status).toBe(303);
    const callback = await followToClient(b, location(res, idp.issuer));
    expect(callback.searchParams.get("error")).toBe("access_denied");
    expect(callback.searchParams.get("state")).toBe("s1");
    expect(callback.searchParams.get("code")).toBeNull();
  });

  it("rejects an unregistered redirect URI and a login form without its interaction cookie", async () => {
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: "http://evil.test/callback",
      scope: "openid",
    }).toString();
    const res = await browser().get(url.href);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("redirect_uri");

    const b = browser();
    const { next } = await authorize(b);
    const stranger = await browser().post(`${next}/login`, { email: "admin@scopedesk.test", password: DEV_PASSWORD });
    expect(stranger.status).toBe(400);
  });
});
