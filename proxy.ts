import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/platform/config";
import {
  HSTS_VALUE,
  newNonce,
  pageContentSecurityPolicy,
  sendsHsts,
  ZENDESK_APP_PAGES,
  zendeskFrameAncestors,
} from "@/lib/http/security-headers";

/**
 * Every page gets a Content-Security-Policy with a nonce of its own. Next
 * reads the nonce from the policy on the request and puts it on the scripts
 * it renders (so pages must render per request, as they do: they read the
 * session); the browser enforces the policy on the response. HSTS as the
 * API sends it. /api and /v3 have their own headers (lib/http). Nothing may
 * frame a page, but the Zendesk app's (/zendesk-app/…), which only the
 * configured Zendesk may frame (decision 030).
 */
export function proxy(request: NextRequest): NextResponse {
  const frameAncestors = ZENDESK_APP_PAGES.test(request.nextUrl.pathname) ? zendeskFrameAncestors(getConfig().helpdesk) : undefined;
  const policy = pageContentSecurityPolicy(newNonce(), { dev: process.env.NODE_ENV === "development", frameAncestors });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  if (sendsHsts(getConfig(), request.url)) response.headers.set("strict-transport-security", HSTS_VALUE);
  return response;
}

export const config = {
  // Not the API, nor static files (immutable, no HTML).
  matcher: ["/((?!api/|v3/|_next/static/|_next/image|favicon.ico|icon.svg).*)"],
};
