/**
 * One Zendesk request with a timeout per attempt, retries where they are safe,
 * one log line per attempt and the answer checked against a zod schema.
 *
 * Retried, within maxRetries and a total wait budget (maxRetryWaitMs):
 * 429 (after Retry-After), 503 with Retry-After (Zendesk says "not now": the
 * request was not applied), connections refused before anything was sent,
 * and for requests that are safe to repeat (reads, the token request) also
 * other 5xx, timeouts and broken connections. A write that may have been
 * applied is never repeated here: it fails with `ambiguous: true` and the
 * caller decides (see zendesk-errors.ts).
 */
import type { z } from "zod";
import { kindForStatus, ZendeskError, type ZendeskOperation } from "./zendesk-errors";

/** pino's (fields, message) signature; it only ever receives method, path, status, duration and retry facts. */
export interface ZendeskLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  maxRetries: number;
  maxRetryWaitMs: number;
  fetch: typeof fetch;
  logger: ZendeskLogger | undefined;
  now: () => number;
}

export interface ZendeskRequest<T> {
  operation: ZendeskOperation;
  method: "GET" | "POST" | "PUT";
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** The Authorization header; absent on the token request. */
  authorization?: string;
  /** Repeating it cannot change anything twice. Default: GET only. */
  safeToRepeat?: boolean;
  schema: z.ZodType<T>;
}

export type ZendeskTransport = <T>(request: ZendeskRequest<T>) => Promise<T>;

const BACKOFF_BASE_MS = 250;
const MAX_MESSAGE_CHARS = 200;
// Connection failures that happen before a byte of the request left: safe to retry even for a write.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

export function createTransport(opts: TransportOptions): ZendeskTransport {
  const base = opts.baseUrl.replace(/\/+$/, "");
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  return async function send<T>(request: ZendeskRequest<T>): Promise<T> {
    const safeToRepeat = request.safeToRepeat ?? request.method === "GET";
    const query = request.query ? `?${new URLSearchParams(request.query)}` : "";
    const headers: Record<string, string> = { accept: "application/json" };
    if (request.authorization) headers.authorization = request.authorization;
    if (request.body !== undefined) headers["content-type"] = "application/json";
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    let waitedMs = 0;

    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      let error: ZendeskError;
      let status: number | undefined;
      try {
        const response = await opts.fetch(`${base}${request.path}${query}`, {
          method: request.method,
          headers,
          body,
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        status = response.status;
        const text = await response.text();
        if (response.ok) {
          const parsed = parseAnswer(text, request, safeToRepeat, status);
          log("info", { status, attempt, started });
          return parsed;
        }
        error = httpError(response, text, request, safeToRepeat, opts.now());
      } catch (err) {
        error = err instanceof ZendeskError ? err : transportError(err, request, safeToRepeat, status);
      }

      const delay = error.ambiguous || !error.transient || attempt > opts.maxRetries ? undefined : retryDelayMs(error, attempt);
      const retry = delay !== undefined && waitedMs + delay <= opts.maxRetryWaitMs;
      log("warn", { status: error.status, error: error.kind, attempt, started, retryInMs: retry ? delay : undefined });
      if (!retry) throw error;
      await sleep(delay);
      waitedMs += delay;
    }

    function log(level: "info" | "warn", f: { status?: number; error?: string; attempt: number; started: number; retryInMs?: number }) {
      // The path has ids only; the query (search terms, cursors) and headers never reach the log.
      const fields = {
        zendesk: {
          operation: request.operation,
          method: request.method,
          path: request.path,
          status: f.status,
          error: f.error,
          durationMs: Math.round(performance.now() - f.started),
          attempt: f.attempt,
          retryInMs: f.retryInMs,
        },
      };
      opts.logger?.[level](fields, f.error ? `zendesk ${request.operation} failed` : `zendesk ${request.operation}`);
    }
  };
}

function parseAnswer<T>(text: string, request: ZendeskRequest<T>, safeToRepeat: boolean, status: number): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = request.schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues[0];
  throw new ZendeskError({
    kind: "invalid_response",
    operation: request.operation,
    status,
    message: json === undefined ? "the answer is not JSON" : `unexpected answer (${where?.path.join(".") || "body"}: ${where?.message})`,
    // A 2xx to a write means it was applied, even if we cannot read what it says.
    ambiguous: !safeToRepeat,
  });
}

function httpError(response: Response, text: string, request: ZendeskRequest<unknown>, safeToRepeat: boolean, now: number): ZendeskError {
  const status = response.status;
  const kind = kindForStatus(status);
  const retryAfterSeconds =
    kind === "rate_limited" || kind === "unavailable" ? parseRetryAfter(response.headers.get("retry-after"), now) : undefined;
  // Zendesk turns a request away with 429, or with 503 + Retry-After, before acting on it; any other 5xx may come after.
  const notApplied = kind === "rate_limited" || (kind === "unavailable" && retryAfterSeconds !== undefined);
  return new ZendeskError({
    kind,
    operation: request.operation,
    status,
    retryAfterSeconds,
    ambiguous: !safeToRepeat && status >= 500 && !notApplied,
    message: `${status}${describeErrorBody(text)}`,
  });
}

function transportError(err: unknown, request: ZendeskRequest<unknown>, safeToRepeat: boolean, status: number | undefined): ZendeskError {
  const name = err instanceof Error ? err.name : "";
  const code = causeCode(err);
  const timedOut = name === "TimeoutError";
  const neverSent = status === undefined && code !== undefined && NOT_SENT_CODES.has(code);
  return new ZendeskError({
    kind: timedOut ? "timeout" : "network",
    operation: request.operation,
    status,
    ambiguous: !safeToRepeat && !neverSent,
    message: timedOut ? "no complete answer in time" : `connection failed${code ? ` (${code})` : ""}`,
    cause: err,
  });
}

/** Retry-After when Zendesk gave one, else exponential backoff. Only asked for errors that are not ambiguous. */
function retryDelayMs(error: ZendeskError, attempt: number): number {
  return error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : BACKOFF_BASE_MS * 2 ** (attempt - 1);
}

/** Retry-After is delay-seconds or an HTTP date (RFC 9110); anything else is ignored. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,6}$/.test(text)) return Number(text);
  // Date.parse is lenient ("1.5" is a date to it): only take what looks like an IMF-fixdate.
  const at = /GMT$/.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Zendesk's error code and description, shortened; never the whole body. */
function describeErrorBody(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "";
  }
  if (typeof body !== "object" || body === null) return "";
  const { error, description, error_description } = body as Record<string, unknown>;
  const parts = [error, description ?? error_description].filter((p): p is string => typeof p === "string" && p !== "");
  const joined = parts.join(": ").replace(/[\u0000-\u001f\u007f]+/g, " ");
  return joined === "" ? "" : ` ${joined.slice(0, MAX_MESSAGE_CHARS)}`;
}

function causeCode(err: unknown): string | undefined {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === "string" ? cause.code : undefined;
}
