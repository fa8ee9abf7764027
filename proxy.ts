import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/platform/config";
import { HSTS_VALUE, newNonce, pageContentSecurityPolicy, sendsHsts } from "@/lib/http/security-headers";

/**
 * Every page gets a Content-Security-Policy with a nonce of its own. Next
 * reads the nonce from the policy on the request and puts it on the scripts
 * it renders (so pages must render per request, as they do: they read the
 * session); the browser enforces the policy on the response. HSTS as the
 * API sends it. /api and /v3 have their own headers (lib/http).
 */
export function proxy(request: NextRequest): NextResponse {
  const policy = pageContentSecurityPolicy(newNonce(), { dev: process.env.NODE_ENV === "development" });
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
