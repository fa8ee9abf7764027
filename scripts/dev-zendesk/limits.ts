/**
 * Zendesk's rate limits, as its developer documentation states them
 * (decision 020), configurable so tests can make them small:
 *
 *  - the account's API requests per minute (700 on Enterprise): every API
 *    answer carries `X-Rate-Limit`, `X-Rate-Limit-Remaining` and, as Zendesk's
 *    ticketing APIs do, `ratelimit-limit`, `ratelimit-remaining` and
 *    `ratelimit-reset` (seconds until the window resets); over it, 429
 *    `APIRateLimitExceeded` with `Retry-After`;
 *  - Update Ticket: 30 updates per 10 minutes per user and ticket (every token
 *    here acts as the one integration user, so: per ticket), 429 with
 *    `Retry-After` until the oldest update leaves the window.
 *
 * The account window is fixed (it resets whole, as "the current minute"
 * does); the per-ticket one slides.
 */
import { z } from "zod";

export const limitsSchema = z.strictObject({
  /** API requests per account and window. Default 700 (Zendesk Suite Enterprise). */
  accountRequests: z.number().int().min(1).max(1_000_000),
  /** Default 60. */
  accountWindowSeconds: z.number().int().min(1).max(3600),
  /** Updates per user and ticket and window. Default 30. */
  ticketUpdates: z.number().int().min(1).max(1_000_000),
  /** Default 600 (10 minutes). */
  ticketWindowSeconds: z.number().int().min(1).max(86_400),
});

export type DevLimits = z.infer<typeof limitsSchema>;

export const ZENDESK_LIMITS: DevLimits = { accountRequests: 700, accountWindowSeconds: 60, ticketUpdates: 30, ticketWindowSeconds: 600 };

export type LimitVerdict =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; headers: Record<string, string>; retryAfterSeconds: number; error: string; description: string };

export class DevRateLimits {
  private limits: DevLimits;
  private windowStart = 0;
  private used = 0;
  private readonly ticketUpdates = new Map<number, number[]>();

  constructor(
    initial: Partial<DevLimits> = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.limits = limitsSchema.parse({ ...ZENDESK_LIMITS, ...initial });
  }

  current(): DevLimits {
    return { ...this.limits };
  }

  /** New limits (merged with the current ones); counting starts again. */
  set(changes: Partial<DevLimits>): DevLimits {
    this.limits = limitsSchema.parse({ ...this.limits, ...changes });
    this.reset();
    return this.current();
  }

  reset(): void {
    this.windowStart = 0;
    this.used = 0;
    this.ticketUpdates.clear();
  }

  /** Counts one API request against the account's window; over it, the 429. */
  request(): LimitVerdict {
    const now = this.clock();
    const windowMs = this.limits.accountWindowSeconds * 1000;
    if (now >= this.windowStart + windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    const resetSeconds = Math.max(1, Math.ceil((this.windowStart + windowMs - now) / 1000));
    const limit = this.limits.accountRequests;
    if (this.used >= limit) {
      return {
        allowed: false,
        headers: this.headers(limit, 0, resetSeconds),
        retryAfterSeconds: resetSeconds,
        error: "APIRateLimitExceeded",
        description: "Number of allowed API requests per minute exceeded",
      };
    }
    this.used++;
    return { allowed: true, headers: this.headers(limit, limit - this.used, resetSeconds) };
  }

  /** Whether one more update of this ticket fits in its window (checked before the update, counted once it is applied). */
  ticketUpdate(ticketId: number): { allowed: true } | { allowed: false; retryAfterSeconds: number; error: string; description: string } {
    const recent = this.recentUpdates(ticketId);
    if (recent.length < this.limits.ticketUpdates) return { allowed: true };
    const retryAfterSeconds = Math.max(1, Math.ceil((recent[0]! + this.limits.ticketWindowSeconds * 1000 - this.clock()) / 1000));
    return {
      allowed: false,
      retryAfterSeconds,
      error: "APIRateLimitExceeded",
      description: `Number of allowed updates of this ticket exceeded (${this.limits.ticketUpdates} per ${this.limits.ticketWindowSeconds} seconds per user and ticket)`,
    };
  }

  ticketUpdated(ticketId: number): void {
    this.ticketUpdates.set(ticketId, [...this.recentUpdates(ticketId), this.clock()]);
  }

  private recentUpdates(ticketId: number): number[] {
    const since = this.clock() - this.limits.ticketWindowSeconds * 1000;
    return (this.ticketUpdates.get(ticketId) ?? []).filter((at) => at > since);
  }

  private headers(limit: number, remaining: number, resetSeconds: number): Record<string, string> {
    return {
      "X-Rate-Limit": String(limit),
      "X-Rate-Limit-Remaining": String(remaining),
      "ratelimit-limit": String(limit),
      "ratelimit-remaining": String(remaining),
      "ratelimit-reset": String(resetSeconds),
    };
  }
}
