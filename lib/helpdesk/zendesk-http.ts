/**
 * One Zendesk request with a timeout per attempt, retries where they are safe,
 * one log line per attempt and the answer checked against a zod schema.
 *
 * Retried, within maxRetries and a total wait budget (maxRetryWaitMs):
 * connections refused before anything was sent, and for requests that are
 * safe to repeat (reads, the token request) also 429 (after Retry-After),
 * 5xx, timeouts and broken connections. A write that got any answer is never
 * repeated here, not even after a 429 (Zendesk's word is that it turned the
 * write away, but the delivery's fault table must hold when one arrives after
 * the write was applied: the caller searches for its marker first, decision
 * 027). A write that may have been applied is never repeated here:
 * every 5xx to a write (a 503 with Retry-After included: it has been seen
 * after the update was applied), a timeout or broken connection after
 * sending and a 2xx we cannot read fail with `ambiguous: true`, and the
 * caller decides (see zendesk-errors.ts).
 */
import type { z } from "zod";
import { kindForStatus, ZendeskError, type ZendeskErrorReason, type ZendeskOperation } from "./zendesk-errors";
import type { ZendeskRateLimits } from "./zendesk-rate-limits";

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
  /** Zendesk's rate limits as this process knows them (zendesk-rate-limits.ts); none: not tracked. */
  rateLimits?: ZendeskRateLimits;
}

export interface ZendeskRequest<T> {
  operation: ZendeskOperation;
  method: "GET" | "POST" | "PUT";
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** The Authorization header; absent on the token request. */
  authorization?: string;
  /** The ticket this request updates: counted against Zendesk's per-ticket update limit. */
  ticketUpdate?: number;
  /** Repeating it cannot change anything twice. Default: GET only. */
  safeToRepeat?: boolean;
  /** What the answer is: JSON (default), or text (e.g. a PEM), handed to the schema as a string. */
  answer?: { accept: string; text: true };
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
    const headers: Record<string, string> = { accept: request.answer?.accept ?? "application/json" };
    if (request.authorization) headers.authorization = request.authorization;
    if (request.body !== undefined) headers["content-type"] = "application/json";
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const limits = opts.rateLimits;
    let waitedMs = 0;

    for (let attempt = 1; ; attempt++) {
      // A request Zendesk's limits would refuse is not sent: it waits within the budget, or fails now.
      for (let hold = limits?.holdFor(request); hold; hold = limits?.holdFor(request)) {
        if (waitedMs + hold.waitMs > opts.maxRetryWaitMs) {
          const error = new ZendeskError({
            kind: "rate_limited",
            operation: request.operation,
            reason: hold.reason,
            retryAfterSeconds: Math.ceil(hold.waitMs / 1000),
            message: `${hold.reason === "rate_limited_ticket" ? "the ticket's update limit" : "the account's rate limit"} is used up for ${Math.ceil(hold.waitMs / 1000)} s; not sent`,
          });
          log("warn", { error: error.kind, attempt, started: performance.now() });
          throw error;
        }
        log("info", { attempt, started: performance.now(), waitMs: hold.waitMs });
        await sleep(hold.waitMs);
        waitedMs += hold.waitMs;
      }
      limits?.sent(request);
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
          limits?.answered(request, { status, headers: response.headers });
          const parsed = parseAnswer(text, request, safeToRepeat, status);
          log("info", { status, attempt, started });
          return parsed;
        }
        error = httpError(response, text, request, safeToRepeat, opts.now());
        limits?.answered(request, { status, headers: response.headers, retryAfterSeconds: error.retryAfterSeconds, reason: error.reason });
      } catch (err) {
        error = err instanceof ZendeskError ? err : transportError(err, request, safeToRepeat, status);
      }

      // A write is repeated in place only when it never left this process (a refused connection).
      const repeatable = safeToRepeat || (error.status === undefined && !error.ambiguous);
      const delay =
        !repeatable || error.ambiguous || !error.transient || attempt > opts.maxRetries ? undefined : retryDelayMs(error, attempt);
      const retry = delay !== undefined && waitedMs + delay <= opts.maxRetryWaitMs;
      log("warn", { status: error.status, error: error.kind, attempt, started, retryInMs: retry ? delay : undefined });
      if (!retry) throw error;
      await sleep(delay);
      waitedMs += delay;
    }

    function log(
      level: "info" | "warn",
      f: { status?: number; error?: string; attempt: number; started: number; retryInMs?: number; waitMs?: number },
    ) {
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
          rateLimitWaitMs: f.waitMs,
        },
      };
      const message = f.error
        ? `zendesk ${request.operation} failed`
        : f.waitMs !== undefined
          ? `zendesk ${request.operation} waits for the rate limit`
          : `zendesk ${request.operation}`;
      opts.logger?.[level](fields, message);
    }
  };
}

function parseAnswer<T>(text: string, request: ZendeskRequest<T>, safeToRepeat: boolean, status: number): T {
  let json: unknown;
  try {
    json = request.answer?.text ? text : JSON.parse(text);
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
  const body = errorBody(text);
  return new ZendeskError({
    kind,
    operation: request.operation,
    status,
    retryAfterSeconds,
    // Only a 429 says for certain that Zendesk did not act on it; any 5xx may come after the write was applied.
    ambiguous: !safeToRepeat && status >= 500,
    reason: reasonFor(status, body, request),
    details: body.details,
    message: `${status}${describeErrorBody(body)}`,
  });
}

interface ErrorBody {
  error?: string;
  description?: string;
  details?: Record<string, unknown>;
}

function errorBody(text: string): ErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return {};
  const { error, description, error_description, details } = json as Record<string, unknown>;
  const text_ = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  return {
    error: text_(error),
    description: text_(description) ?? text_(error_description),
    details: typeof details === "object" && details !== null && !Array.isArray(details) ? (details as Record<string, unknown>) : undefined,
  };
}

/** Every `description` in Zendesk's `details` ({ field: [{ description, error }] }), with its field. */
function detailDescriptions(details: Record<string, unknown> | undefined): { field: string; text: string }[] {
  const found: { field: string; text: string }[] = [];
  for (const [field, entries] of Object.entries(details ?? {})) {
    for (const entry of Array.isArray(entries) ? entries : [entries]) {
      if (typeof entry === "string") found.push({ field, text: entry });
      else if (typeof entry === "object" && entry !== null) {
        const { description, error, type } = entry as Record<string, unknown>;
        for (const t of [description, error, type]) if (typeof t === "string") found.push({ field, text: t });
      }
    }
  }
  return found;
}

/**
 * The case a caller switches on, from the status and Zendesk's error body. Zendesk documents
 * the closed-ticket answer's wording; the others are matched on their field and wording
 * (see decision 020).
 */
function reasonFor(status: number, body: ErrorBody, request: ZendeskRequest<unknown>): ZendeskErrorReason | undefined {
  const texts = detailDescriptions(body.details);
  const all = [body.description ?? "", ...texts.map((t) => t.text)];
  if (status === 429) {
    // Zendesk's account limit says "requests per minute"; the per-ticket update limit names the ticket.
    const perTicket = request.operation === "addComment" && all.some((t) => /ticket/i.test(t) && !/requests per minute/i.test(t));
    return perTicket ? "rate_limited_ticket" : "rate_limited_account";
  }
  if (status === 413 && request.operation === "addComment") return "comment_too_large";
  if (status !== 422) return undefined;
  if (all.some((t) => /closed prevents ticket update/i.test(t))) return "ticket_closed";
  if (texts.some((t) => /author/i.test(t.field)) || all.some((t) => /\bauthor\b/i.test(t))) return "author_invalid";
  if (all.some((t) => /5,?000 comments|comment limit|maximum number of comments/i.test(t))) return "comment_limit";
  if (all.some((t) => /too (long|large|big)|maximum (size|length)|TooLong/i.test(t))) return "comment_too_large";
  return undefined;
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

/** Zendesk's error code and description (and the first of its details), shortened; never the whole body. */
function describeErrorBody(body: ErrorBody): string {
  const detail = detailDescriptions(body.details)[0];
  const parts = [body.error, body.description, detail && `${detail.field}: ${detail.text}`].filter(
    (p): p is string => typeof p === "string" && p !== "",
  );
  const joined = parts.join(": ").replace(/[\u0000-\u001f\u007f]+/g, " ");
  return joined === "" ? "" : ` ${joined.slice(0, MAX_MESSAGE_CHARS)}`;
}

function causeCode(err: unknown): string | undefined {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === "string" ? cause.code : undefined;
}
