import { Hono } from "hono";
import { v3Errors } from "@/lib/erasure/errors";
import { getDb } from "@/lib/platform/db";
import { authenticateApiKey } from "@/lib/api-keys/authenticate-api-key";
import { resolveActingAccount } from "@/lib/api-keys/resolve-acting-account";
import { hitRateLimit } from "@/lib/api-keys/rate-limit";
import { allowedMethods } from "./allowed-methods";
import type { V3Env } from "./context";
import { requestContext } from "./middleware/request-context";
import { ServerTiming } from "./server-timing";
import { onBehalfOfHeader } from "./v3/on-behalf-of-header";
import { V3_ENDPOINTS } from "./v3/routes";
import { v3ErrorResponse } from "./v3/v3-errors";

/**
 * /v3: the customer API, one stack for every endpoint: request context, then
 * the API key (never a staff session) and the per-account rate limit, counted
 * in the same round trip; callers without a valid key are counted by their
 * real address (the peer's, or what trusted proxies forwarded). Then
 * on-behalf-of (its form checked here: 400; whom it names: 404), then the
 * endpoint's scopes and body (./v3/endpoint.ts). Unknown paths (a trailing
 * slash too) authenticate first: 401 without a valid key, else 404.
 */
export function createV3App(): Hono<V3Env> {
  const v3 = new Hono<V3Env>();
  v3.onError((error, c) => v3ErrorResponse(c, error));
  v3.use(requestContext());
  v3.use(async (c, next) => {
    const timing = new ServerTiming();
    c.set("timing", timing);
    c.set("limit", null);
    const db = getDb();
    const auth = await timing.measure("auth", () => authenticateApiKey(db, c.req.header("authorization") ?? null));
    if (!auth.caller) {
      const limit = await hitRateLimit(db, `ip:${c.get("meta").ip ?? "unknown"}`);
      c.set("limit", limit);
      throw limit.limited ? v3Errors.tooManyRequests() : v3Errors.unauthenticated();
    }
    c.set("limit", auth.limit);
    if (auth.limit?.limited) throw v3Errors.tooManyRequests();
    c.set("caller", auth.caller);
    const onBehalfOf = onBehalfOfHeader.safeParse(c.req.header("on-behalf-of"));
    if (!onBehalfOf.success) throw v3Errors.badRequest(onBehalfOf.error.issues[0]!.message, "on-behalf-of");
    c.set("acting", await timing.measure("acting", () => resolveActingAccount(db, auth.caller!, onBehalfOf.data)));
    await next();
  });
  for (const endpoint of V3_ENDPOINTS) endpoint.mount(v3);
  const routes = V3_ENDPOINTS.map((e) => ({ method: e.method, path: e.path }));
  v3.all("*", (c) => {
    const path = new URL(c.req.url).pathname.replace(/^\/v3/, "") || "/";
    const allowed = allowedMethods(routes, path);
    throw allowed.length > 0 ? v3Errors.methodNotAllowed(c.req.method, allowed) : v3Errors.notFound();
  });
  return v3;
}
