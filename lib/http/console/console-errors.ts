import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, type ApiErrorBody } from "@/lib/platform/errors";
import { getLogger } from "@/lib/platform/logger";
import type { RequestMeta } from "@/lib/audit/append-audit-event";

/**
 * The console's error body, {"error": {code, message, requestId, details?}}:
 * an expected failure's own message (safe to show); anything else a generic
 * message with the request id, the detail going to the log only.
 */
export function consoleErrorBody(error: unknown, meta: RequestMeta): { status: ContentfulStatusCode; body: ApiErrorBody } {
  if (error instanceof AppError) {
    // A user's mistake is not an error of ours.
    getLogger().info({ requestId: meta.requestId, code: error.code, status: error.status }, error.message);
    return {
      status: error.status as ContentfulStatusCode,
      body: { error: { code: error.code, message: error.message, requestId: meta.requestId, details: error.details } },
    };
  }
  getLogger().error({ requestId: meta.requestId, err: error }, "unhandled error in the console API");
  return {
    status: 500,
    body: {
      error: {
        code: "internal",
        message: `Something went wrong on our side. Quote request id ${meta.requestId} when reporting it.`,
        requestId: meta.requestId,
      },
    },
  };
}

export function consoleErrorResponse(c: Context, error: unknown, extraHeaders: Record<string, string> = {}): Response {
  const meta = (c.get("meta") as RequestMeta | undefined) ?? { requestId: crypto.randomUUID(), ip: null, userAgent: null };
  const { status, body } = consoleErrorBody(error, meta);
  return c.json(body, status, { "x-request-id": meta.requestId, "cache-control": "no-store", ...extraHeaders });
}
