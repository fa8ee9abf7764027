/**
 * Ticket references typed or pasted by agents. Parsing is deliberately strict
 * (a fixed URL shape, no URL constructor): the ticket link is written into
 * audit records and admin notes, so a lookalike host must never get through.
 */
import { z } from "zod";

export type TicketRefResult =
  | { ok: true; ticketId: string; url: string }
  | { ok: false; error: string };

export const TICKET_REF_MAX_LENGTH = 500;

const ACCEPTED = "Enter a Zendesk ticket URL (https://<subdomain>.zendesk.com/agent/tickets/123), #123 or 123.";

const ERRORS = {
  empty: `A ticket is required. ${ACCEPTED}`,
  tooLong: `The ticket reference is too long. ${ACCEPTED}`,
  notHttps: `The ticket URL must start with https://. ${ACCEPTED}`,
  host: `The ticket URL must be on <subdomain>.zendesk.com. ${ACCEPTED}`,
  path: `The ticket URL must be a ticket page (/agent/tickets/123). ${ACCEPTED}`,
  number: `Ticket numbers are 1 to 15 digits, without leading zeros. ${ACCEPTED}`,
  other: `Not a ticket reference. ${ACCEPTED}`,
} as const;

// 15 digits stays below Number.MAX_SAFE_INTEGER, so other code may still treat the id as a number.
const TICKET_ID = /^[1-9][0-9]{0,14}$/;
const BARE = /^#?([0-9]+)$/;
/** Scheme, authority, path, then an ignored ?query and/or #fragment. */
const URL_SHAPE = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:[?#].*)?$/i;
/** One DNS label, then exactly zendesk.com: no userinfo, no port, no extra labels. */
const ZENDESK_HOST = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.zendesk\.com$/;
const TICKET_PATH = /^\/agent\/tickets\/([0-9]+)\/?$/;
// Whitespace or control characters inside a reference mean it is not one pasted value.
const INNER_JUNK = /[\s\u0000-\u001f\u007f]/;

function ticketUrl(helpdeskBaseUrl: string, ticketId: string): string {
  return `${helpdeskBaseUrl.replace(/\/+$/, "")}/agent/tickets/${ticketId}`;
}

function withId(digits: string, helpdeskBaseUrl: string): TicketRefResult {
  if (!TICKET_ID.test(digits)) return { ok: false, error: ERRORS.number };
  return { ok: true, ticketId: digits, url: ticketUrl(helpdeskBaseUrl, digits) };
}

/**
 * Accepts `https://{subdomain}.zendesk.com/agent/tickets/{n}` (optional
 * trailing slash; query and fragment ignored), `#n` or `n`. Any subdomain is
 * accepted, but the returned url always points at helpdeskBaseUrl.
 */
export function parseTicketRef(input: string, helpdeskBaseUrl: string): TicketRefResult {
  const text = input.trim();
  if (text === "") return { ok: false, error: ERRORS.empty };
  if (text.length > TICKET_REF_MAX_LENGTH) return { ok: false, error: ERRORS.tooLong };
  if (INNER_JUNK.test(text)) return { ok: false, error: ERRORS.other };

  const bare = BARE.exec(text);
  if (bare) return withId(bare[1]!, helpdeskBaseUrl);

  const url = URL_SHAPE.exec(text);
  if (!url) return { ok: false, error: ERRORS.other };
  const [, scheme, authority, path] = url;
  // Scheme and host are case-insensitive (RFC 3986); the path is not.
  if (scheme!.toLowerCase() !== "https") return { ok: false, error: ERRORS.notHttps };
  if (!ZENDESK_HOST.test(authority!.toLowerCase())) return { ok: false, error: ERRORS.host };
  const ticket = TICKET_PATH.exec(path!);
  if (!ticket) return { ok: false, error: ERRORS.path };
  return withId(ticket[1]!, helpdeskBaseUrl);
}

/** A string turned into `{ ticketId, url }`, with parseTicketRef's error as the issue message. */
export function ticketRefSchema(helpdeskBaseUrl: string) {
  return z.string({ error: ERRORS.empty }).transform((value, ctx) => {
    const result = parseTicketRef(value, helpdeskBaseUrl);
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
