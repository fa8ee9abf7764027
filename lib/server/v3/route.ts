import "server-only";
import type { z } from "zod";
import { isV3Error, V3Error, v3Errors, type V3ErrorItem } from "@/lib/erasure/errors";
import { parseOnBehalfOf } from "@/lib/erasure/on-behalf-of";
import type { RequestMeta } from "../audit";
import { getDb } from "../db";
import { getLogger } from "../logger";
import { requestMetaFrom, type HeaderReader } from "../request-meta";
import { authenticateApiKey, missingScopeMessage, resolveActingAccount, type ActingAccount, type ApiCaller } from "./auth";
import { fallbackRateLimitState, hitRateLimit, rateLimitHeaders, type RateLimitState } from "./rate-limit";

/**
 * The one pipeline every /v3 (customer API) request goes through, in this
 * order: API-key authentication (never a staff session), the per-account rate
 * limit, on-behalf-of, required scopes, the body through its zod schema. Every
 * response, errors included, carries the X-RateLimit-* headers and an error
 * body shaped as the contract says. A handler only ever sees authorised,
 * parsed input.
 *
 * It knows nothing of the HTTP server: a request arrives as a `V3Request`
 * (method, path, headers, a body reader) and leaves as a `V3Response`. Two
 * thin adapters feed it: the Next route handler app/v3/[...path] (`next dev`)
 * and ./node-adapter.ts, which the production server (scripts/server.ts) puts
 * in front of Next so a 5,000-address body is read from Node's stream
 * directly (docs/decisions/007-v3-beside-next.md).
 */

type Schema = z.ZodType;

export interface V3Request {
  method: string;
  /** The path without the query, e.g. "/v3/scopes". */
  path: string;
  query: URLSearchParams;
  headers: HeaderReader;
  /** The body as text; throws `bodyTooLarge(maxBytes)` past maxBytes without reading on. */
  readBody(maxBytes: number): Promise<string>;
}

export interface V3Response {
  status: number;
  headers: Record<string, string>;
  /** null for 204. */
  body: string | null;
}

export interface V3Context<B> {
  caller: ApiCaller;
  acting: ActingAccount;
  body: B;
  query: URLSearchParams;
  meta: RequestMeta;
}

export interface V3EndpointOptions<B extends Schema | undefined> {
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

type BodyOf<B> = B extends Schema ? z.output<B> : undefined;

export interface V3Endpoint {
  options: V3EndpointOptions<Schema | undefined>;
  handler: (ctx: V3Context<unknown>) => Promise<V3Result>;
}

/** Declares an endpoint; the types tie the handler's body to the schema. */
export function v3Endpoint<B extends Schema | undefined = undefined>(
  options: V3EndpointOptions<B>,
  handler: (ctx: V3Context<BodyOf<B>>) => Promise<V3Result>,
): V3Endpoint {
  return { options, handler: handler as V3Endpoint["handler"] };
}

/** path → method → endpoint. */
export type V3Routes = Readonly<Record<string, Readonly<Partial<Record<string, V3Endpoint>>>>>;

export const bodyTooLarge = (maxBytes: number) => v3Errors.badRequest(`The request body is larger than ${Math.round(maxBytes / 1024)} KB`);

// Unknown paths still authenticate first: 401 without a valid key, else 404.
const notFound = v3Endpoint({}, async () => {
  throw v3Errors.notFound();
});

/** Routes one request through the pipeline. Never throws: every failure becomes a response. */
export async function handleV3Request(routes: V3Routes, request: V3Request): Promise<V3Response> {
  const methods = routes[request.path.replace(/\/+$/, "")];
  const endpoint = methods ? (methods[request.method] ?? methodNotAllowed(request.method, Object.keys(methods))) : notFound;
  return runEndpoint(endpoint, request);
}

function methodNotAllowed(method: string, allowed: string[]): V3Endpoint {
  return v3Endpoint({}, async () => {
    throw v3Errors.methodNotAllowed(method, allowed);
  });
}

async function runEndpoint({ options, handler }: V3Endpoint, request: V3Request): Promise<V3Response> {
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
      throw v3Errors.notAuthorized(`Not authorized: ${missing.map((s) => missingScopeMessage(s, acting.chain)).join("; ")}`);
    }
    const text = options.body ? await timing.measure("read", () => request.readBody(options.maxBodyBytes ?? 16 * 1024)) : undefined;
    const body = options.body ? timing.measureSync("parse", () => parseBody(options.body!, parseJsonText(text!))) : undefined;
    const result = await timing.measure("handler", () => handler({ caller, acting, body, query: request.query, meta }));
    return respond(result.status, result.body, limit, meta, timing);
  } catch (error) {
    if (isV3Error(error)) {
      getLogger().info({ requestId: meta.requestId, status: error.status }, `v3: ${error.message.slice(0, 200)}`);
      return respond(error.status, error.body, limit, meta, timing, error.headers);
    }
    getLogger().error({ requestId: meta.requestId, err: error }, "unhandled error in /v3 request");
    return respond(500, v3Errors.internal().body, limit, meta, timing);
  }
}

/** Server-Timing (W3C) of the pipeline's steps, so latency can be told apart from the network's. */
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

function respond(
  status: number,
  body: unknown,
  limit: RateLimitState | null,
  meta: RequestMeta,
  timing: ServerTiming,
  extra: Record<string, string> = {},
): V3Response {
  return {
    status,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      "x-request-id": meta.requestId,
      "server-timing": timing.header(),
      ...rateLimitHeaders(limit ?? fallbackRateLimitState()),
      ...extra,
    },
    body: status === 204 ? null : JSON.stringify(body),
  };
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

function parseJsonText(text: string): unknown {
  if (text.trim() === "") throw v3Errors.badRequest("The request body is empty; send a JSON object");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw v3Errors.badRequest("The request body is not valid JSON");
  }
}
