/**
 * The one error the Zendesk client throws for anything Zendesk (or the way to
 * it) did wrong. `kind` says what happened, `ambiguous` whether a write may
 * have been applied anyway: a delivery job must then look for its marker in
 * the ticket's comments before posting again (Zendesk has no idempotency key
 * for comments). `reason` names the cases a caller handles differently,
 * without parsing text; `details` is Zendesk's own 422 `details` object.
 * Messages never contain a secret, a token or a request body.
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
  /** Any other 4xx, e.g. 422 when a ticket already holds 5,000 comments or is closed. */
  | "rejected"
  /** Any other 5xx. */
  | "server";

export type ZendeskOperation = "token" | "getTicket" | "addComment" | "listComments" | "searchUsers" | "getUser" | "getAppPublicKey";

/**
 * What a caller may switch on. Set where it applies, else undefined.
 *  - ticket_closed: the ticket is closed; Zendesk refuses every update (422, "Status: closed prevents ticket update"). Permanent.
 *  - comment_too_large: the comment is over Zendesk's size limit (refused before sending, or 413/422 from Zendesk). Permanent.
 *  - comment_limit: the ticket already holds 5,000 comments (422). Permanent.
 *  - author_invalid: author_id is not an agent or admin of the account (422). Permanent.
 *  - rate_limited_ticket: the update would exceed Zendesk's 30 updates per 10 minutes per user and ticket
 *    (refused before sending from this process's count, or Zendesk's 429 for it). Wait retryAfterSeconds.
 *  - rate_limited_account: the account's (or the endpoint's) requests per minute are used up. Wait retryAfterSeconds.
 */
export type ZendeskErrorReason =
  "ticket_closed" | "comment_too_large" | "comment_limit" | "author_invalid" | "rate_limited_ticket" | "rate_limited_account";

const TRANSIENT: ReadonlySet<ZendeskErrorKind> = new Set(["rate_limited", "unavailable", "timeout", "network", "server"]);

export interface ZendeskErrorInit {
  kind: ZendeskErrorKind;
  operation: ZendeskOperation;
  message: string;
  status?: number;
  retryAfterSeconds?: number;
  ambiguous?: boolean;
  reason?: ZendeskErrorReason;
  details?: Record<string, unknown>;
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
  /** The case this is, for callers to switch on (see ZendeskErrorReason). */
  readonly reason: ZendeskErrorReason | undefined;
  /** Zendesk's `details` of a 4xx answer, e.g. `{ status: [{ description: "Status: closed prevents ticket update" }] }`. */
  readonly details: Record<string, unknown> | undefined;

  constructor(init: ZendeskErrorInit) {
    super(`Zendesk ${init.operation}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.operation = init.operation;
    this.status = init.status;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.ambiguous = init.ambiguous ?? false;
    this.reason = init.reason;
    this.details = init.details;
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
