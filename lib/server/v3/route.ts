import "server-only";
import type { NextRequest } from "next/server";
import type { z } from "zod";
import { isV3Error, V3Error, v3Errors, type V3ErrorItem } from "@/lib/erasure/errors";
import { parseOnBehalfOf } from "@/lib/erasure/on-behalf-of";
import type { RequestMeta } from "../audit";
import { getDb } from "../db";
import { getLogger } from "../logger";
import { requestMetaFrom } from "../request-meta";
import { authenticateApiKey, resolveActingAccount, type ActingAccount, type ApiCaller } from "./auth";
import { fallbackRateLimitState, hitRateLimit, rateLimitHeaders, type RateLimitState } from "./rate-limit";

/**
 * The one wrapper every /v3 (customer API) route handler goes through, in this
 * order: API-key authentication (never a staff session), the per-account rate
 * limit, on-behalf-of, required scopes, the body through its zod schema. Every
 * response, errors included, carries the X-RateLimit-* headers and an error
 * body shaped as the contract says. A handler only ever sees authorised,
 * parsed input.
 */

type Schema = z.ZodType;

export interface V3Context<B> {
  caller: ApiCaller;
  acting: ActingAccount;
  body: B;
  request: NextRequest;
  meta: RequestMeta;
  params: Record<string, string | string[] | undefined>;
}

export interface V3RouteOptions<B extends Schema | undefined> {
  /** Scopes the key must hold (effective scopes, see auth.ts). */
  scopes?: readonly string[];
  body?: B;
  /** Larger bodies are refused (400) without being read further. Default 16 KiB. */
  maxBodyBytes?: number;
}

export interface V3Result {
  status: number;
  body: unknown;
}

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };
type BodyOf<B> = B extends Schema ? z.output<B> : undefined;

export function v3Route<B extends Schema | undefined = undefined>(
  options: V3RouteOptions<B>,
  handler: (ctx: V3Context<BodyOf<B>>) => Promise<V3Result>,
): (request: NextRequest, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    const meta = requestMetaFrom(request.headers);
    const db = getDb();
    const timing = new ServerTiming();
    let limit: RateLimitState | null = null;
    try {
      // Authenticates and counts the request against the key's account in one go.
      const auth = await timing.measure("auth", () => authenticateApiKey(db, request.headers.get("authorization")));
      const caller = auth.caller;
      if (!caller) {
        // Unauthenticated callers are counted per client address.
        limit = await hitRateLimit(db, `ip:${meta.ip ?? "unknown"}`);
        throw limit.limited ? v3Errors.tooManyRequests() : v3Errors.unauthenticated();
      }
      limit = auth.limit;
      if (limit?.limited) throw v3Errors.tooManyRequests();
      const acting = await timing.measure("acting", () => resolveActingAccount(db, caller, parseOnBehalfOf(request.headers.get("on-behalf-of"))));
      const missing = (options.scopes ?? []).filter((s) => !acting.scopes.includes(s));
      if (missing.length > 0) {
        throw v3Errors.notAuthorized(`Not authorized: this API key lacks ${missing.join(", ")}`);
      }
      const raw = options.body ? await timing.measure("read", () => readJson(request, options.maxBodyBytes ?? 16 * 1024)) : undefined;
      const body = options.body ? timing.measureSync("parse", () => parseBody(options.body!, raw)) : undefined;
      const params = await context.params;
      const result = await timing.measure("handler", () => handler({ caller, acting, body: body as BodyOf<B>, request, meta, params }));
      return json(result.status, result.body, limit, meta, timing);
    } catch (error) {
      if (isV3Error(error)) {
        getLogger().info({ requestId: meta.requestId, status: error.status }, `v3: ${error.message.slice(0, 200)}`);
        return json(error.status, error.body, limit, meta, timing);
      }
      getLogger().error({ requestId: meta.requestId, err: error }, "unhandled error in /v3 route handler");
      return json(500, v3Errors.internal().body, limit, meta, timing);
    }
  };
}

/** Server-Timing (W3C) of the wrapper's steps, so latency can be told apart from the network's. */
class ServerTiming {
  private readonly started = performance.now();
  private readonly parts: string[] = [];

  async measure<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      this.parts.push(`${name};dur=${(performance.now() - t).toFixed(1)}`);
    }
  }

  measureSync<T>(name: string, fn: () => T): T {
    const t = performance.now();
    try {
      return fn();
    } finally {
      this.parts.push(`${name};dur=${(performance.now() - t).toFixed(1)}`);
    }
  }

  header(): string {
    return [...this.parts, `total;dur=${(performance.now() - this.started).toFixed(1)}`].join(", ");
  }
}

function json(status: number, body: unknown, limit: RateLimitState | null, meta: RequestMeta, timing: ServerTiming): Response {
  const headers = new Headers({
    "content-type": "application/json",
    "cache-control": "no-store",
    "x-request-id": meta.requestId,
    "server-timing": timing.header(),
    ...rateLimitHeaders(limit ?? fallbackRateLimitState()),
  });
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers });
}

function parseBody<S extends Schema>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const errors: V3ErrorItem[] = parsed.error.issues.map((issue) => ({
    message: issue.message,
    field: typeof issue.path[0] === "string" ? issue.path[0] : "",
  }));
  throw new V3Error(400, errors);
}

/** Reads at most maxBytes of the body, then parses it as JSON. */
async function readJson(request: NextRequest, maxBytes: number): Promise<unknown> {
  const tooLarge = () => v3Errors.badRequest(`The request body is larger than ${Math.round(maxBytes / 1024)} KB`);
  const declaredHeader = request.headers.get("content-length");
  const declared = declaredHeader === null ? NaN : Number(declaredHeader);
  if (declared > maxBytes) throw tooLarge();
  if (Number.isInteger(declared) && declared >= 0) {
    // Node's HTTP parser never delivers more than Content-Length: read it whole.
    return parseJsonText(Buffer.from(await request.arrayBuffer()).toString("utf8"));
  }
  // Chunked (no Content-Length): read until done or over the limit.
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  return parseJsonText(Buffer.concat(chunks, size).toString("utf8"));
}

function parseJsonText(text: string): unknown {
  if (text.trim() === "") throw v3Errors.badRequest("The request body is empty; send a JSON object");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw v3Errors.badRequest("The request body is not valid JSON");
  }
}
