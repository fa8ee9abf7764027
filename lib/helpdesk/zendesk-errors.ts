/**
 * The one error the Zendesk client throws for anything Zendesk (or the way to
 * it) did wrong. `kind` says what happened, `ambiguous` whether a write may
 * have been applied anyway: a delivery job must then look for its marker in
 * the ticket's comments before posting again (Zendesk has no idempotency key
 * for comments). Messages never contain a secret, a token or a request body.
 */
export type ZendeskErrorKind =
  /** 404: no such ticket (or endpoint). */
  | "not_found"
  /** 401 after one token renewal, 403, or the token endpoint refused the client credentials. */
  | "unauthorized"
  /** 429, or the retries and wait budget ran out on one. */
  | "rate_limited"
  /** 503. */
  | "unavailable"
  /** No complete answer within timeoutMs. */
  | "timeout"
  /** The connection failed or broke. */
  | "network"
  /** A 2xx answer that is not the JSON the fields we use need. */
  | "invalid_response"
  /** Any other 4xx, e.g. 422 when a ticket already holds 5,000 comments. */
  | "rejected"
  /** Any other 5xx. */
  | "server";

export type ZendeskOperation = "token" | "getTicket" | "addComment" | "listComments" | "searchUsers";

const TRANSIENT: ReadonlySet<ZendeskErrorKind> = new Set(["rate_limited", "unavailable", "timeout", "network", "server"]);

export interface ZendeskErrorInit {
  kind: ZendeskErrorKind;
  operation: ZendeskOperation;
  message: string;
  status?: number;
  retryAfterSeconds?: number;
  ambiguous?: boolean;
  cause?: unknown;
}

export class ZendeskError extends Error {
  override name = "ZendeskError";
  readonly kind: ZendeskErrorKind;
  readonly operation: ZendeskOperation;
  /** The HTTP status, when there was an answer. */
  readonly status: number | undefined;
  /** What Zendesk asked for in Retry-After (429, 503), when it did. */
  readonly retryAfterSeconds: number | undefined;
  /** True when the request was a write that may have been applied (timeout or broken connection after sending, 5xx, unreadable 2xx). */
  readonly ambiguous: boolean;

  constructor(init: ZendeskErrorInit) {
    super(`Zendesk ${init.operation}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.operation = init.operation;
    this.status = init.status;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.ambiguous = init.ambiguous ?? false;
  }

  /** Worth trying again later (a job should reschedule, after Retry-After when known); the others need a person. */
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }
}

export function isZendeskError(error: unknown): error is ZendeskError {
  return error instanceof ZendeskError;
}

/** The kind an HTTP error status stands for. */
export function kindForStatus(status: number): ZendeskErrorKind {
  if (status === 404) return "not_found";
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 429) return "rate_limited";
  if (status === 503) return "unavailable";
  return status >= 500 ? "server" : "rejected";
}
