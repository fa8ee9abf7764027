/**
 * The signup-cutoff verdict: accounts that signed up before the cutoff
 * (2023-07-25T00:00:00Z unless configured otherwise) did not get the
 * erase-job scopes by default. The cutoff instant itself counts as "on or
 * after": an account created exactly at the cutoff got the scopes.
 */
import { eraseJobScopesOf, type EraseJobScopes } from "@/lib/scopes/catalog";

export const DEFAULT_SIGNUP_CUTOFF_ISO = "2023-07-25T00:00:00Z";

const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Parses an ISO 8601 instant that says where it is: a trailing "Z" or a UTC
 * offset such as "-04:00" / "+0530". Local times without an offset are
 * refused because they would silently depend on the server's time zone.
 */
export function parseInstant(text: string): Date {
  const trimmed = text.trim();
  const m = INSTANT_RE.exec(trimmed);
  if (!m) {
    throw new Error(
      `Not a date-time with a time zone: ${describe(text)}. Use ISO 8601 with "Z" or an offset, e.g. 2023-07-25T00:00:00Z or 2023-07-24T20:00:00-04:00.`,
    );
  }
  const [, y, mo, d, h, mi, s = "0", frac = "", zulu, sign, oh = "0", om = "0"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  const invalid =
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59;
  if (invalid) throw new Error(`Not a valid date-time: ${describe(text)} (a field is out of range).`);

  // Sub-millisecond digits are dropped; Date cannot hold them.
  const ms = Number(frac.padEnd(3, "0").slice(0, 3));
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC, so years 0000-0099 are not mapped to 19xx.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const offsetMs = zulu ? 0 : (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return new Date(date.getTime() - offsetMs);
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

function describe(text: string): string {
  return text.length > 60 ? `${JSON.stringify(text.slice(0, 60))}…` : JSON.stringify(text);
}

function assertValid(date: Date, what: string): void {
  if (Number.isNaN(date.getTime())) throw new Error(`${what} is not a valid date.`);
}

/** "2023-07-25 00:00:00 UTC" (milliseconds dropped). */
export function formatUtc(date: Date): string {
  assertValid(date, "The date");
  const iso = date.toISOString();
  const t = iso.indexOf("T");
  return `${iso.slice(0, t)} ${iso.slice(t + 1, t + 9)} UTC`;
}

export type CutoffSide = "before" | "on_or_after";

export function cutoffSide(signedUpAt: Date, cutoff: Date): CutoffSide {
  assertValid(signedUpAt, "The signup date");
  assertValid(cutoff, "The cutoff");
  return signedUpAt.getTime() < cutoff.getTime() ? "before" : "on_or_after";
}

export type EraseJobStatus = "ok" | "reset_needed" | "anomaly";

export interface EraseJobVerdict {
  side: CutoffSide;
  /** Whether the erase-job scopes are enabled by default for this signup date. */
  expectedByDate: boolean;
  scopes: EraseJobScopes;
  /** Decided by the scopes alone: true unless the account has both. */
  needsReset: boolean;
  /** Signed up on/after the cutoff yet lacks one or both scopes. */
  anomaly: null | "missing_after_cutoff";
  status: EraseJobStatus;
  headline: string;
  explanation: string;
}

export function eraseJobVerdict(input: { signedUpAt: Date; scopes: Iterable<string>; cutoff: Date }): EraseJobVerdict {
  const { signedUpAt, cutoff } = input;
  const side = cutoffSide(signedUpAt, cutoff);
  const scopes = eraseJobScopesOf(input.scopes);
  const expectedByDate = side === "on_or_after";
  const needsReset = !scopes.both;
  const anomaly = expectedByDate && needsReset ? "missing_after_cutoff" : null;
  const status: EraseJobStatus = anomaly ? "anomaly" : needsReset ? "reset_needed" : "ok";

  const [signed, cut] = formatPair(signedUpAt, cutoff);
  const when =
    side === "before"
      ? `Signed up ${signed}, before the ${cut} cutoff, so these scopes are not enabled by default.`
      : `Signed up ${signed}, on or after the ${cut} cutoff, so these scopes are enabled by default.`;
  const has = (["recipients.erasejob.create", "recipients.erasejob.read"] as const).filter((s) => !scopes.missing.includes(s));
  const lacks = `The account lacks ${joinAnd(scopes.missing)}${has.length > 0 ? ` (it has ${joinAnd(has)})` : ""}`;

  let headline: string;
  let explanation: string;
  if (status === "ok") {
    headline = "Erase-job scopes present: nothing to do";
    explanation =
      side === "before"
        ? `${when} The account already has both, so its scopes were probably reset before; no reset is needed.`
        : `${when} The account has both; no reset is needed.`;
  } else if (status === "reset_needed") {
    headline = "Erase-job scopes missing: reset needed";
    explanation = `${when} ${lacks}; reset its scopes to add them.`;
  } else {
    headline = "Erase-job scopes unexpectedly missing: reset needed";
    explanation = `${when} ${lacks}, which is unexpected for this signup date; reset its scopes to add them and mention the anomaly in the ticket's internal note.`;
  }
  return { side, expectedByDate, scopes, needsReset, anomaly, status, headline, explanation };
}

/** Minutes are enough unless seconds are what separates the two instants. */
function formatPair(a: Date, b: Date): [string, string] {
  const whole = (d: Date) => d.getTime() % 60_000 === 0;
  if (whole(a) && whole(b)) return [formatUtc(a).replace(/:00 UTC$/, " UTC"), formatUtc(b).replace(/:00 UTC$/, " UTC")];
  return [formatUtc(a), formatUtc(b)];
}

function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
