import type { Context, MiddlewareHandler } from "hono";
import { getConfig } from "@/lib/platform/config";
import { AppError } from "@/lib/platform/errors";
import type { StaffCredential } from "@/lib/http/context";
import { SIDEBAR_CSRF_HEADER, sidebarCsrfMatches } from "@/lib/zendesk-app/sidebar-credential";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * Every state-changing console request must come from the console's own
 * pages: JSON (a cross-site form or a no-CORS fetch cannot send
 * application/json without a preflight we never answer), and from our own
 * origin, by Origin or by Sec-Fetch-Site. A session cookie alone never
 * authorises a write. Auth.js's own sign-in and sign-out keep their CSRF
 * token (they are not behind this pipeline).
 *
 * A write with the Zendesk sidebar's session (decision 030) must also carry
 * that session's CSRF token in X-Scopedesk-Csrf: its cookie is SameSite=None,
 * so any site's request carries it; no other site can read the token.
 */
export function csrfCheck(options: { exempt: (c: Context) => boolean }): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE.has(c.req.method) || options.exempt(c)) return next();
    const credential = c.get("credential") as StaffCredential | undefined;
    if (credential?.kind === "zendesk_sidebar" && !sidebarCsrfMatches(credential.secret, c.req.header(SIDEBAR_CSRF_HEADER))) {
      throw new AppError("forbidden", "This write did not carry the sidebar session's CSRF token, so it was refused.", {
        reason: "csrf_token",
      });
    }
    if (!JSON_TYPE.test(c.req.header("content-type") ?? "")) {
      throw new AppError("forbidden", "Writes must be sent as application/json from the console itself.", { reason: "content_type" });
    }
    const site = c.req.header("sec-fetch-site");
    const origin = c.req.header("origin");
    if (site === "same-origin" && (origin === undefined || isOwnOrigin(origin, c.req.url, c.req.header("host")))) return next();
    if (origin !== undefined && site !== "cross-site" && site !== "same-site" && isOwnOrigin(origin, c.req.url, c.req.header("host")))
      return next();
    throw new AppError("forbidden", "This write did not come from the console's own pages, so it was refused (cross-site request).", {
      reason: "origin",
    });
  };
}

/**
 * A GET that records something (the export appends an audit event) sends no
 * body to check, and SameSite=Lax cookies ride along on another site's link
 * to it: refused when the browser says another site sent it. The console's
 * own link (same-origin) and a typed or bookmarked address (none) pass.
 */
export function refuseCrossSiteRead(c: Context): void {
  const site = c.req.header("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") {
    throw new AppError("forbidden", "This request came from another site, so it was refused: open it from the console.", {
      reason: "origin",
    });
  }
}

/** Our origin: the configured public URL's, or, when none is configured, the one the request itself was sent to. */
function isOwnOrigin(origin: string, requestUrl: string, host: string | undefined): boolean {
  const configured = getConfig().publicUrl;
  if (configured) return origin === configured;
  if (!host) return false;
  const scheme = new URL(requestUrl).protocol;
  return origin === `${scheme}//${host}`;
}
