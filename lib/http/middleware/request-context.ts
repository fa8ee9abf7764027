import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { getConfig } from "@/lib/config";
import { clientAddress } from "@/lib/platform/client-address";
import type { RequestMeta } from "@/lib/server/audit";
import type { HttpBindings } from "../context";
import { HSTS_VALUE, sendsHsts } from "../security-headers";

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * First on both surfaces: our own request id (always; a caller's well-formed
 * X-Request-Id is kept beside it, labelled as the caller's), the client's
 * address (the peer's, or what trusted proxies forwarded: TRUST_PROXY), and
 * the headers every API answer carries: the request id, no caching of
 * customer data anywhere, no sniffing, no framing, HSTS over https.
 */
export function requestContext(): MiddlewareHandler<{ Bindings: HttpBindings; Variables: { meta: RequestMeta } }> {
  return async (c, next) => {
    const config = getConfig();
    const incoming = c.env?.incoming;
    const clientId = c.req.header("x-request-id");
    const meta: RequestMeta = {
      requestId: randomUUID(),
      clientRequestId: clientId && CLIENT_REQUEST_ID.test(clientId) ? clientId : null,
      ip: clientAddress(incoming?.socket.remoteAddress, c.req.header("x-forwarded-for"), config.trustProxy)?.slice(0, 100) ?? null,
      userAgent: c.req.header("user-agent")?.slice(0, 500) ?? null,
    };
    c.set("meta", meta);
    await next();
    c.header("x-request-id", meta.requestId);
    c.header("cache-control", "no-store");
    c.header("x-content-type-options", "nosniff");
    c.header("x-frame-options", "DENY");
    c.header("referrer-policy", "no-referrer");
    if (sendsHsts(config, c.req.url)) c.header("strict-transport-security", HSTS_VALUE);
  };
}
