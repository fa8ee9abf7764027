/**
 * Real sign-in for HTTP integration tests: drives Auth.js and the development
 * identity provider exactly as a browser would (CSRF token, redirects, login
 * form, callback), with a minimal cookie jar, and returns the session cookies.
 */
export const BASE_URL = process.env.E2E_BASE_URL ?? "http://localhost:3100";

/** The helpdesk the server under test is configured with (scripts/test.ts), and a ticket's link on it. */
export const HELPDESK_BASE_URL = (process.env.HELPDESK_BASE_URL ?? "https://scopedesk.zendesk.com").replace(/\/+$/, "");
export const ticketUrl = (ticketId: number | string) => `${HELPDESK_BASE_URL}/agent/tickets/${ticketId}`;
const DEFAULT_BASE_URL = BASE_URL;

class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(url: string, response: Response): void {
    const host = new URL(url).host;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(header) || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    this.byHost.set(host, jar);
  }

  header(url: string): string {
    const jar = this.byHost.get(new URL(url).host);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join("; ") : "";
  }
}

async function go(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, {
    ...init,
    redirect: "manual",
    headers: { ...(init.headers as Record<string, string>), cookie: jar.header(url) },
  });
  jar.store(url, response);
  return response;
}

/**
 * Follows redirects by hand so every hop's cookies are kept. Stops before
 * leaving this machine (the app and the development IdP are both local), so
 * an open redirect shows as the url it ended on instead of a request elsewhere.
 */
async function follow(
  jar: CookieJar,
  response: Response,
  from: string,
  headers: Record<string, string> = {},
  limit = 10,
): Promise<{ response: Response; url: string }> {
  let current = response;
  let url = from;
  for (let i = 0; i < limit && current.status >= 300 && current.status < 400; i++) {
    url = new URL(current.headers.get("location")!, url).toString();
    if (!["localhost", "127.0.0.1"].includes(new URL(url).hostname)) break;
    current = await go(jar, url, { headers });
  }
  return { response: current, url };
}

export interface HttpSession {
  cookie: string;
  /** Where the browser would be after signing in (the last URL of the redirects). */
  landedAt: string;
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
}

export async function signIn(
  email: string,
  password = "scopedesk",
  BASE_URL = DEFAULT_BASE_URL,
  /** `headers` go with every request of the sign-in, e.g. a forged X-Forwarded-For. */
  options: { callbackUrl?: string; headers?: Record<string, string> } = {},
): Promise<HttpSession> {
  const jar = new CookieJar();
  const extra = options.headers ?? {};
  const csrfUrl = `${BASE_URL}/api/auth/csrf`;
  const { csrfToken } = (await (await go(jar, csrfUrl, { headers: extra })).json()) as { csrfToken: string };
  const start = await go(jar, `${BASE_URL}/api/auth/signin/scopedesk`, {
    method: "POST",
    headers: { ...extra, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: options.callbackUrl ?? `${BASE_URL}/` }).toString(),
  });
  const loginPage = await follow(jar, start, `${BASE_URL}/api/auth/signin/scopedesk`, extra);
  const html = await loginPage.response.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no login form at ${loginPage.url} (status ${loginPage.response.status})`);
  const loginUrl = new URL(action.replace(/&amp;/g, "&"), loginPage.url).toString();
  const submitted = await go(jar, loginUrl, {
    method: "POST",
    headers: { ...extra, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password }).toString(),
  });
  if (submitted.status === 401) throw new Error(`the identity provider refused ${email}`);
  const done = await follow(jar, submitted, loginUrl, extra);
  const cookie = jar.header(BASE_URL);
  if (!/authjs\.session-token=/.test(cookie)) {
    throw new Error(`sign-in as ${email} did not produce a session (ended at ${done.url}, status ${done.response.status})`);
  }
  return {
    cookie,
    landedAt: done.url,
    // As the console's own pages send it: a browser adds Origin and Sec-Fetch-Site to a same-origin fetch.
    fetch: (path, init = {}) =>
      fetch(`${BASE_URL}${path}`, {
        ...init,
        redirect: "manual",
        headers: { origin: new URL(BASE_URL).origin, "sec-fetch-site": "same-origin", ...(init.headers as Record<string, string>), cookie },
      }),
  };
}

export function anonymousFetch(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${BASE_URL}${path}`, { ...init, redirect: "manual" });
}

/** Signs out as the console's button does (Auth.js sign-out with its CSRF token); the session's cookie stays in `session` for reuse. */
export async function signOut(session: HttpSession): Promise<Response> {
  const { csrfToken } = (await (await session.fetch("/api/auth/csrf")).json()) as { csrfToken: string };
  return session.fetch("/api/auth/signout", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: "/signin" }).toString(),
  });
}

/** Opens a ticket in the development Zendesk the server under test reads (as a customer writing in would), so a reset can name it. */
export async function openTicket(input: { requesterEmail?: string; subject?: string } = {}): Promise<{ ticketId: string; url: string }> {
  const base = process.env.DEV_ZENDESK_URL;
  if (!base) throw new Error("DEV_ZENDESK_URL is not set: run the tests through npm test");
  const response = await fetch(`${base}/__dev/tickets`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  if (response.status !== 201) throw new Error(`the development Zendesk did not open a ticket (${response.status})`);
  const { id } = (await response.json()) as { id: number };
  return { ticketId: String(id), url: ticketUrl(id) };
}

/** Assigns a ticket of the development Zendesk to the agent with this e-mail (null: to nobody), as a Zendesk admin would. */
export async function assignTicket(ticketId: string | number, email: string | null): Promise<void> {
  const base = process.env.DEV_ZENDESK_URL;
  if (!base) throw new Error("DEV_ZENDESK_URL is not set: run the tests through npm test");
  const response = await fetch(`${base}/__dev/tickets/${ticketId}/assignee`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  if (response.status !== 200) throw new Error(`the development Zendesk did not assign ticket #${ticketId} (${response.status})`);
}
