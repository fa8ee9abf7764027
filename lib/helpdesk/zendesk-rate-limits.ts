/**
 * What this process knows of Zendesk's rate limits (decision 020), so that a
 * request Zendesk would refuse is not sent:
 *  - the account's budget, read from the headers of every API answer
 *    (`ratelimit-remaining` / `X-Rate-Limit-Remaining`, `ratelimit-reset`)
 *    and from a 429's `Retry-After`: once it is used up, API calls wait for
 *    the reset;
 *  - Update Ticket's 30 updates per 10 minutes per user and ticket: every
 *    update this process sends is counted per ticket in a sliding window, and
 *    one that would pass the limit waits for the oldest to leave it; a 429
 *    Zendesk gives for it (other processes update as the same user) blocks
 *    that ticket for its Retry-After;
 *  - any other 429 holds back what it says is used up: the whole account when
 *    its headers say none remain (or say nothing), else only that operation
 *    (an endpoint's own limit), for its Retry-After.
 * The transport (zendesk-http.ts) waits when the wait fits the call's budget,
 * and otherwise fails at once with `rate_limited` and `retryAfterSeconds`.
 */
import type { ZendeskErrorReason } from "./zendesk-errors";

export interface TicketUpdateLimit {
  updates: number;
  windowMs: number;
}

/** Zendesk's: 30 updates per 10 minutes per user per ticket. */
export const ZENDESK_TICKET_UPDATE_LIMIT: TicketUpdateLimit = { updates: 30, windowMs: 10 * 60_000 };
/** When an answer says how many requests remain but not when the window resets: Zendesk's windows are a minute. */
const DEFAULT_RESET_MS = 60_000;
/** Tickets whose windows are empty are forgotten once this many are tracked. */
const MAX_TRACKED_TICKETS = 10_000;

export interface RateLimitHold {
  waitMs: number;
  reason: Extract<ZendeskErrorReason, "rate_limited_account" | "rate_limited_ticket">;
}

export interface LimitedRequest {
  /** What the request does (an endpoint's own limit holds back only these). */
  operation: string;
  /** API calls carry a token; the token request does not count against the API's limit. */
  authorization?: string;
  /** The ticket an update changes. */
  ticketUpdate?: number;
}

export class ZendeskRateLimits {
  private accountRemaining: number | undefined;
  private accountResetAt = 0;
  private accountBlockedUntil = 0;
  private readonly ticketSent = new Map<number, number[]>();
  private readonly ticketBlockedUntil = new Map<number, number>();
  private readonly operationBlockedUntil = new Map<string, number>();

  constructor(
    private readonly ticketLimit: TicketUpdateLimit,
    private readonly now: () => number,
  ) {}

  /** How long this request must wait before it may be sent, and why; null: it may go now. */
  holdFor(request: LimitedRequest): RateLimitHold | null {
    const now = this.now();
    let hold: RateLimitHold | null = null;
    const consider = (until: number, reason: RateLimitHold["reason"]) => {
      if (until > now && (hold === null || until - now > hold.waitMs)) hold = { waitMs: until - now, reason };
    };
    if (request.authorization !== undefined) {
      consider(this.accountBlockedUntil, "rate_limited_account");
      consider(this.operationBlockedUntil.get(request.operation) ?? 0, "rate_limited_account");
      if (this.accountRemaining !== undefined && this.accountRemaining <= 0) consider(this.accountResetAt, "rate_limited_account");
    }
    if (request.ticketUpdate !== undefined) {
      const id = request.ticketUpdate;
      consider(this.ticketBlockedUntil.get(id) ?? 0, "rate_limited_ticket");
      const sent = this.recent(id, now);
      if (sent.length >= this.ticketLimit.updates)
        consider(sent[sent.length - this.ticketLimit.updates]! + this.ticketLimit.windowMs, "rate_limited_ticket");
    }
    return hold;
  }

  /** The request goes now: it takes one of the account's remaining requests, and counts as an update of its ticket. */
  sent(request: LimitedRequest): void {
    const now = this.now();
    if (request.authorization !== undefined && this.accountRemaining !== undefined) this.accountRemaining--;
    if (request.ticketUpdate !== undefined) {
      if (this.ticketSent.size >= MAX_TRACKED_TICKETS) this.forgetQuietTickets(now);
      this.ticketSent.set(request.ticketUpdate, [...this.recent(request.ticketUpdate, now), now]);
    }
  }

  /** What the answer says about the limits: its headers, and a 429's Retry-After for the account or the ticket. */
  answered(
    request: LimitedRequest,
    answer: { status: number; headers: Headers; retryAfterSeconds?: number; reason?: ZendeskErrorReason },
  ): void {
    const now = this.now();
    const remaining = headerNumber(answer.headers, "ratelimit-remaining") ?? headerNumber(answer.headers, "x-rate-limit-remaining");
    if (request.authorization !== undefined) {
      if (remaining !== undefined) {
        const resetSeconds = headerNumber(answer.headers, "ratelimit-reset");
        this.accountRemaining = remaining;
        this.accountResetAt = now + (resetSeconds === undefined ? DEFAULT_RESET_MS : resetSeconds * 1000);
      }
    }
    if (answer.status !== 429) return;
    const until = now + (answer.retryAfterSeconds ?? 1) * 1000;
    if (answer.reason === "rate_limited_ticket" && request.ticketUpdate !== undefined) {
      this.ticketBlockedUntil.set(request.ticketUpdate, until);
    } else if (remaining === undefined || remaining <= 0) {
      this.accountBlockedUntil = Math.max(this.accountBlockedUntil, until);
    } else {
      // The account has requests left: this endpoint's own limit is used up.
      this.operationBlockedUntil.set(request.operation, Math.max(this.operationBlockedUntil.get(request.operation) ?? 0, until));
    }
    // A 429 was turned away unread: it used none of the ticket's updates.
    if (request.ticketUpdate !== undefined) this.ticketSent.set(request.ticketUpdate, this.recent(request.ticketUpdate, now).slice(0, -1));
  }

  private recent(ticketId: number, now: number): number[] {
    const since = now - this.ticketLimit.windowMs;
    return (this.ticketSent.get(ticketId) ?? []).filter((at) => at > since);
  }

  private forgetQuietTickets(now: number): void {
    for (const id of [...this.ticketSent.keys()]) if (this.recent(id, now).length === 0) this.ticketSent.delete(id);
    for (const [id, until] of [...this.ticketBlockedUntil]) if (until <= now) this.ticketBlockedUntil.delete(id);
  }
}

function headerNumber(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)?.trim();
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}
