/**
 * The sidebar's own session credential (decision 030). Zendesk's signed token
 * comes only with the first load, so Scopedesk opens a staff session of its
 * own for the iframe: a row of staff_session (kind zendesk_sidebar) that the
 * credential names, checked on every request like a sign-in's (decision 013).
 *
 * The credential is `sds1.<staff id>.<secret>`: 256 random bits whose SHA-256
 * is the row's id. Served over https it travels in a cookie
 * (`__Host-scopedesk-sidebar`, SameSite=None; Secure; Partitioned); in plain-http
 * development the page keeps it and sends it as X-Scopedesk-Sidebar-Session.
 * Writes also carry X-Scopedesk-Csrf, a token derived from the secret that the
 * page reads from GET /api/sidebar-session: a SameSite=None cookie goes along
 * with any site's request, the header cannot. Pure.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { SESSION_SECRET_PATTERN } from "@/lib/auth/session-secret";
import { SIDEBAR_COOKIE } from "./sidebar-headers";

export { SIDEBAR_COOKIE, SIDEBAR_CSRF_HEADER, SIDEBAR_SESSION_HEADER } from "./sidebar-headers";

const CREDENTIAL = /^sds1\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export function sidebarCredential(staffId: string, secret: string): string {
  return `sds1.${staffId}.${secret}`;
}

export function parseSidebarCredential(value: string | undefined | null): { staffId: string; secret: string } | null {
  const match = value ? CREDENTIAL.exec(value) : null;
  if (!match || !SESSION_SECRET_PATTERN.test(match[2]!)) return null;
  return { staffId: match[1]!, secret: match[2]! };
}

/** The session's CSRF token: derived from its secret, so it needs no storage and dies with the session. */
export function sidebarCsrfToken(secret: string): string {
  return createHmac("sha256", secret).update("scopedesk sidebar csrf v1").digest("base64url");
}

export function sidebarCsrfMatches(secret: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(sidebarCsrfToken(secret));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The Set-Cookie of the https mode: only for this host, only over https, sent from Zendesk's frame, kept apart per top-level site. */
export function sidebarCookie(credential: string, maxAgeSeconds: number): string {
  return `${SIDEBAR_COOKIE}=${credential}; Path=/; Max-Age=${maxAgeSeconds}; Secure; HttpOnly; SameSite=None; Partitioned`;
}

/**
 * Where the signed load continues: the sidebar page, with the query the Apps
 * framework SDK reads (origin, app_guid), the origin only when it is the
 * configured Zendesk's (the SDK talks to that window), and in plain-http
 * development the credential in the fragment (never sent to a server, nor in
 * a Referer).
 */
export function sidebarPageLocation(input: {
  query: URLSearchParams;
  zendeskOrigins: readonly string[];
  credentialInFragment: string | null;
}): string {
  const next = new URLSearchParams();
  const origin = input.query.get("origin");
  const appGuid = input.query.get("app_guid");
  if (origin && input.zendeskOrigins.includes(origin)) next.set("origin", origin);
  if (appGuid && /^[A-Za-z0-9-]{1,64}$/.test(appGuid)) next.set("app_guid", appGuid);
  const query = next.toString();
  const fragment = input.credentialInFragment ? `#session=${encodeURIComponent(input.credentialInFragment)}` : "";
  return `/zendesk-app/sidebar${query ? `?${query}` : ""}${fragment}`;
}
