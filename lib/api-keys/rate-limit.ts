import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Db, Tx } from "@/lib/platform/db";

/**
 * Fixed-window rate limit kept in Postgres, so every app instance counts
 * against the same row: one INSERT … ON CONFLICT DO UPDATE … RETURNING per
 * request. Windows are whole minutes of the database clock.
 */
export const RATE_LIMIT_PER_MINUTE = 100;
const WINDOW_SECONDS = 60;

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Seconds until the window ends. */
  reset: number;
  limited: boolean;
}

/**
 * The upsert counting one request in `bucketQuery`'s bucket (a SELECT of one
 * text column, no row = nothing counted), returning count and seconds to reset.
 */
export function rateLimitUpsert(bucketQuery: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO api_rate_limit AS r (bucket, window_start, count)
    SELECT b.bucket, to_timestamp(floor(extract(epoch FROM now()) / ${WINDOW_SECONDS}) * ${WINDOW_SECONDS}), 1
    FROM (${bucketQuery}) AS b(bucket)
    ON CONFLICT (bucket, window_start) DO UPDATE SET count = r.count + 1
    RETURNING r.count, ceil(extract(epoch FROM r.window_start + make_interval(secs => ${WINDOW_SECONDS}) - now()))::int AS reset`;
}

export function rateLimitState(count: number, reset: number, limit = RATE_LIMIT_PER_MINUTE): RateLimitState {
  return { limit, remaining: Math.max(0, limit - count), reset: Math.min(WINDOW_SECONDS, Math.max(1, reset)), limited: count > limit };
}

/** Counts one request in `bucket`'s current window. */
export async function hitRateLimit(db: Db | Tx, bucket: string, limit = RATE_LIMIT_PER_MINUTE): Promise<RateLimitState> {
  const [row] = await db.$queryRaw<{ count: number; reset: number }[]>(rateLimitUpsert(Prisma.sql`SELECT ${bucket}::text`));
  if (!row) throw new Error("rate limit upsert returned no row");
  return rateLimitState(row.count, row.reset, limit);
}

/** What to answer when the counter itself could not be read (e.g. the database is down). */
export function fallbackRateLimitState(now = Date.now(), limit = RATE_LIMIT_PER_MINUTE): RateLimitState {
  const reset = WINDOW_SECONDS - (Math.floor(now / 1000) % WINDOW_SECONDS);
  return { limit, remaining: 0, reset, limited: false };
}

/** Drops windows that ended more than an hour ago. */
export async function pruneRateLimitWindows(db: Db | Tx): Promise<number> {
  return db.$executeRaw`DELETE FROM api_rate_limit WHERE window_start < now() - interval '1 hour'`;
}

export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  const headers: Record<string, string> = {
    "X-RateLimit-Limit": String(state.limit),
    "X-RateLimit-Remaining": String(state.remaining),
    "X-RateLimit-Reset": String(state.reset),
  };
  if (state.limited) headers["X-Envoy-Ratelimited"] = "true";
  return headers;
}
