import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isV3Error, v3Errors } from "@/lib/erasure/errors";
import type { RequestMeta } from "@/lib/audit/append-audit-event";
import { getLogger } from "@/lib/platform/logger";
import { fallbackRateLimitState, rateLimitHeaders, type RateLimitState } from "@/lib/api-keys/rate-limit";
import type { ServerTiming } from "@/lib/http/server-timing";

/**
 * /v3 answers in the contract's shape, {"errors": [{message, field}]}, and
 * every answer, errors included, carries the X-RateLimit-* headers and
 * Server-Timing. Anything unexpected is a generic 500, detail in the log.
 */
export function v3Headers(c: Context): Record<string, string> {
  const limit = (c.get("limit") as RateLimitState | null | undefined) ?? fallbackRateLimitState();
  const timing = c.get("timing") as ServerTiming | undefined;
  return { ...rateLimitHeaders(limit), ...(timing ? { "server-timing": timing.header() } : {}) };
}

export function v3ErrorResponse(c: Context, error: unknown): Response {
  const meta = c.get("meta") as RequestMeta | undefined;
  const known = isV3Error(error) ? error : null;
  // Counts and fields only: a refusal's message can echo the request (every rejected e-mail address, by name).
  if (known)
    getLogger().info(
      {
        requestId: meta?.requestId,
        status: known.status,
        errors: known.errors.length,
        fields: [...new Set(known.errors.map((e) => e.field))],
      },
      `v3 request refused (${known.status})`,
    );
  else getLogger().error({ requestId: meta?.requestId, err: error }, "unhandled error in /v3 request");
  const failure = known ?? v3Errors.internal();
  return c.json(failure.body, failure.status as ContentfulStatusCode, {
    ...v3Headers(c),
    ...failure.headers,
    "x-request-id": meta?.requestId ?? "",
    "cache-control": "no-store",
  });
}
