/**
 * Ticket references typed or pasted by agents. Parsing is deliberately strict
 * (a fixed URL shape, no URL constructor): the ticket link is written into
 * audit records and admin notes, so a lookalike host must never get through.
 *
 * Only tickets of the configured helpdesk are accepted: URLs on its base URL
 * (`HELPDESK_BASE_URL`) and on the Zendesk subdomains named in
 * `HELPDESK_ALLOWED_SUBDOMAINS`, which are its brands (a Zendesk account's
 * brands share one ticket numbering, so `https://brand.zendesk.com/agent/tickets/5`
 * is ticket 5 of the same helpdesk, linked on its base URL). A ticket of
 * another Zendesk is refused, never rewritten into one of ours.
 */
import { z } from "zod";

export type TicketRefResult = { ok: true; ticketId: string; url: string } | { ok: false; error: string };

/** Which tickets are ours. `allowedSubdomains: "any"` accepts every Zendesk subdomain (for filters that need only the number). */
export interface HelpdeskSite {
  baseUrl: string;
  allowedSubdomains: readonly string[] | "any";
}

export const TICKET_REF_MAX_LENGTH = 500;

// 15 digits stays below Number.MAX_SAFE_INTEGER, so other code may still treat the id as a number.
const TICKET_ID = /^[1-9][0-9]{0,14}$/;
const BARE = /^#?([0-9]+)$/;
/** Scheme, authority, path, then an ignored ?query and/or #fragment. */
const URL_SHAPE = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:[?#].*)?$/i;
/** One DNS label, then exactly zendesk.com: no userinfo, no port, no extra labels. */
const ZENDESK_HOST = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.zendesk\.com$/;
const TICKET_PATH = /^\/agent\/tickets\/([0-9]+)\/?$/;
// Whitespace or control characters inside a reference mean it is not one pasted value.
const INNER_JUNK = /[\s\u0000-\u001f\u007f]/;

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "");
}

/** "https://acme.zendesk.com", or with brands "https://acme.zendesk.com (or brand subdomains help, eu)". */
export function describeHelpdesk(site: HelpdeskSite): string {
  const base = trimBase(site.baseUrl);
  if (site.allowedSubdomains === "any") return "https://<subdomain>.zendesk.com";
  return site.allowedSubdomains.length === 0
    ? base
    : `${base} (or its brand subdomains ${site.allowedSubdomains.map((s) => `${s}.zendesk.com`).join(", ")})`;
}

function errors(site: HelpdeskSite) {
  const accepted = `Enter a ticket URL of ${describeHelpdesk(site)} (…/agent/tickets/123), #123 or 123.`;
  return {
    empty: `A ticket is required. ${accepted}`,
    tooLong: `The ticket reference is too long. ${accepted}`,
    notOurs: `The ticket URL is not on this console's helpdesk. ${accepted}`,
    path: `The ticket URL must be a ticket page (/agent/tickets/123). ${accepted}`,
    number: `Ticket numbers are 1 to 15 digits, without leading zeros. ${accepted}`,
    other: `Not a ticket reference. ${accepted}`,
  };
}

/** Scheme and authority of the base URL, lower-cased (both are case-insensitive, RFC 3986). */
function baseOrigin(baseUrl: string): { scheme: string; authority: string } | null {
  const m = URL_SHAPE.exec(trimBase(baseUrl));
  return m ? { scheme: m[1]!.toLowerCase(), authority: m[2]!.toLowerCase() } : null;
}

function isOurHost(scheme: string, authority: string, site: HelpdeskSite): boolean {
  const base = baseOrigin(site.baseUrl);
  if (base && scheme === base.scheme && authority === base.authority) return true;
  if (scheme !== "https") return false;
  const sub = ZENDESK_HOST.exec(authority)?.[1];
  if (!sub) return false;
  return site.allowedSubdomains === "any" || site.allowedSubdomains.includes(sub);
}

/**
 * Accepts a ticket URL of the helpdesk (optional trailing slash; query and
 * fragment ignored), `#n` or `n`. The returned url is always on the base URL.
 */
export function parseTicketRef(input: string, site: HelpdeskSite): TicketRefResult {
  const error = errors(site);
  const text = input.trim();
  if (text === "") return { ok: false, error: error.empty };
  if (text.length > TICKET_REF_MAX_LENGTH) return { ok: false, error: error.tooLong };
  if (INNER_JUNK.test(text)) return { ok: false, error: error.other };

  const withId = (digits: string): TicketRefResult =>
    TICKET_ID.test(digits)
      ? { ok: true, ticketId: digits, url: `${trimBase(site.baseUrl)}/agent/tickets/${digits}` }
      : { ok: false, error: error.number };

  const bare = BARE.exec(text);
  if (bare) return withId(bare[1]!);

  const url = URL_SHAPE.exec(text);
  if (!url) return { ok: false, error: error.other };
  const [, scheme, authority, path] = url;
  if (!isOurHost(scheme!.toLowerCase(), authority!.toLowerCase(), site)) return { ok: false, error: error.notOurs };
  const ticket = TICKET_PATH.exec(path!);
  if (!ticket) return { ok: false, error: error.path };
  return withId(ticket[1]!);
}

/** A string turned into `{ ticketId, url }`, with parseTicketRef's error as the issue message. */
export function ticketRefSchema(site: HelpdeskSite) {
  return z.string({ error: errors(site).empty }).transform((value, ctx) => {
    const result = parseTicketRef(value, site);
    if (!result.ok) {
      ctx.addIssue({ code: "custom", message: result.error });
      return z.NEVER;
    }
    return { ticketId: result.ticketId, url: result.url };
  });
}

/** The console's own page for a ticket. Encoded in case a caller passes something other than digits. */
export function ticketPath(ticketId: string): string {
  return `/tickets/${encodeURIComponent(ticketId)}`;
}
