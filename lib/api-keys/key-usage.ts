/**
 * When an API key was last used, in words, and what that means for a reset
 * that takes scopes from it: a key used an hour ago is a live integration
 * that breaks; one unused for months probably is not. `last_used_at` is kept
 * to the minute (lib/api-keys/authenticate-api-key.ts), so "just now" means
 * within the last minute or so. Pure: the account page and the dialog (in the
 * browser) and the approval page use it alike.
 */
export type KeyRecency = "recent" | "weeks" | "stale" | "never";

export interface KeyUsage {
  /** "last used 3 days ago", "never used". */
  label: string;
  recency: KeyRecency;
  /** What losing scopes means for this key, in words. */
  consequence: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Used within this long: the customer is using it now. */
const RECENT = 7 * DAY;
/** Not used for longer than this: probably no longer in use. */
const STALE = 90 * DAY;

export function describeKeyUsage(lastUsedAt: string | Date | null, now: Date): KeyUsage {
  if (lastUsedAt === null) {
    return { label: "never used", recency: "never", consequence: "never used, so losing scopes breaks nothing running today" };
  }
  const at = typeof lastUsedAt === "string" ? new Date(lastUsedAt) : lastUsedAt;
  const age = Math.max(0, now.getTime() - at.getTime());
  const ago = agoWords(age);
  if (age <= RECENT)
    return { label: `last used ${ago}`, recency: "recent", consequence: `used ${ago}: in use now, so losing scopes breaks what it does` };
  if (age <= STALE) return { label: `last used ${ago}`, recency: "weeks", consequence: `used ${ago}: probably still in use` };
  return {
    label: `last used ${ago}`,
    recency: "stale",
    consequence: `unused for ${agoWords(age, false)}: probably no longer in use, so losing scopes matters less`,
  };
}

function agoWords(ms: number, withAgo = true): string {
  const suffix = withAgo ? " ago" : "";
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}${suffix}`;
  if (ms < 2 * MINUTE) return withAgo ? "just now" : "a minute";
  if (ms < HOUR) return plural(Math.floor(ms / MINUTE), "minute");
  if (ms < DAY) return plural(Math.floor(ms / HOUR), "hour");
  if (ms < 60 * DAY) return plural(Math.floor(ms / DAY), "day");
  if (ms < 730 * DAY) return plural(Math.floor(ms / (30 * DAY)), "month");
  return plural(Math.floor(ms / (365 * DAY)), "year");
}
