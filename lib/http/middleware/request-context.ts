import type { MiddlewareHandler } from "hono";
import { getConfig } from "@/lib/platform/config";
import type { RequestMeta } from "@/lib/audit/append-audit-event";
import { requestMetaOf } from "@/lib/platform/request-meta";
import type { HttpBindings } from "@/lib/http/context";
import { HSTS_VALUE, sendsHsts } from "@/lib/http/security-headers";

/**
 * First on both surfaces: our own request id (always; a caller's well-formed
 * X-Request-Id is kept beside it, labelled as the caller's), the client's
 * address (the peer's, or what trusted proxies forwarded: TRUST_PROXY), and
 * the headers every API answer carries: the request id, no caching of
 * customer data anywhere, no sniffing, no framing, HSTS over https.
 */
export function requestContext(
  options: {
    /** Answers the Zendesk app's frame shows (decision 030): no X-Frame-Options; their own CSP names who may frame them. */
    frameable?: boolean;
  } = {},
): MiddlewareHandler<{ Bindings: HttpBindings; Variables: { meta: RequestMeta } }> {
  return async (c, next) => {
    const meta = requestMetaOf(c.env?.incoming?.socket.remoteAddress, { get: (name) => c.req.header(name) });
    c.set("meta", meta);
    await next();
    c.header("x-request-id", meta.requestId);
    c.header("cache-control", "no-store");
    c.header("x-content-type-options", "nosniff");
    if (!options.frameable) c.header("x-frame-options", "DENY");
    c.header("referrer-policy", "no-referrer");
    if (sendsHsts(getConfig(), c.req.url)) c.header("strict-transport-security", HSTS_VALUE);
  };
}
