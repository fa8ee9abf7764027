import "server-only";
import { getDb } from "@/lib/platform/db";
import { getLogger } from "@/lib/platform/logger";

/**
 * When each API key was last used (`api_key.last_used_at`), kept to the
 * minute without a write on the request's path: /v3 authentication hands the
 * key's id and the time its row says it was last used; a key not seen within
 * the minute is noted here, and one UPDATE per second writes every key noted
 * since (one flush at a time per process; the timer never keeps a process
 * alive). It is a display hint (the account page, the key-impact list), so a
 * process that dies loses at most the last second of it, and past
 * MAX_PENDING keys in one second the rest wait for their next request.
 * Measured against writing it in the authentication statement itself:
 * bench/last-used.ts, decision 041.
 */
const FLUSH_MS = 1000;
const FRESH_MS = 60_000;
const MAX_PENDING = 10_000;

const state = globalThis as unknown as {
  __scopedeskKeyUses?: { pending: Map<string, Date>; timer: NodeJS.Timeout | null; flushing: Promise<number> | null };
};

function uses() {
  state.__scopedeskKeyUses ??= { pending: new Map(), timer: null, flushing: null };
  return state.__scopedeskKeyUses;
}

/** Notes that a key was used now, unless its row says it was used within the minute (or it is noted already). */
export function recordKeyUse(keyId: string, lastUsedAt: Date | null, now = new Date()): void {
  if (lastUsedAt && now.getTime() - lastUsedAt.getTime() < FRESH_MS) return;
  const u = uses();
  if (u.pending.has(keyId) || u.pending.size >= MAX_PENDING) return;
  u.pending.set(keyId, now);
  if (!u.timer) {
    u.timer = setTimeout(() => {
      u.timer = null;
      void flushKeyUses();
    }, FLUSH_MS);
    u.timer.unref();
  }
}

/** Writes every key noted so far in one statement; the number of keys written. Also for tests and shutdown. */
export async function flushKeyUses(): Promise<number> {
  const u = uses();
  // One flush at a time: a second caller waits for the one in progress, then writes what was noted since.
  if (u.flushing) await u.flushing.catch(() => 0);
  if (u.pending.size === 0) return 0;
  const batch = [...u.pending];
  u.pending.clear();
  const ids = batch.map(([id]) => id);
  const ats = batch.map(([, at]) => at.toISOString());
  u.flushing = getDb().$executeRaw`UPDATE api_key k SET last_used_at = u.at
      FROM unnest(${ids}::text[], ${ats}::timestamptz[]) AS u(id, at)
      WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`.catch((error: unknown) => {
    getLogger().warn(
      { err: error, keys: ids.length },
      "could not record when API keys were last used; they are noted again at their next use",
    );
    return 0;
  });
  try {
    return await u.flushing;
  } finally {
    u.flushing = null;
  }
}
