import "server-only";
import { getZendesk, helpdeskConnection } from "./get-zendesk";
import { isZendeskError } from "./zendesk-errors";
import type { ZendeskTicket } from "./zendesk-schemas";

/**
 * The ticket as the helpdesk knows it, for the console: subject, status,
 * requester and organization. A helpdesk that does not answer (or answers
 * late) never blocks the agent: the ticket is then "unverified". Answers are
 * kept for a short while, so a page and the reset that follows read it once.
 */
export type TicketLookup =
  | { state: "verified"; ticket: ZendeskTicket }
  | { state: "not_found" }
  | { state: "unverified"; reason: string }
  | { state: "not_connected"; reason: string };

const CACHE_MS = 30_000;
const MAX_CACHED = 2_000;
const cache = new Map<string, { at: number; lookup: Promise<TicketLookup> }>();

export function readTicket(ticketId: string, now = Date.now()): Promise<TicketLookup> {
  const connection = helpdeskConnection();
  if (!connection.connected) return Promise.resolve({ state: "not_connected", reason: connection.reason });
  const hit = cache.get(ticketId);
  if (hit && now - hit.at < CACHE_MS) return hit.lookup;
  if (cache.size >= MAX_CACHED) cache.clear();
  const lookup = fetchTicket(ticketId);
  cache.set(ticketId, { at: now, lookup });
  // Only answers are kept: a failure is asked again next time.
  void lookup.then((result) => {
    if (result.state === "unverified") cache.delete(ticketId);
  });
  return lookup;
}

async function fetchTicket(ticketId: string): Promise<TicketLookup> {
  try {
    return { state: "verified", ticket: await getZendesk("console")!.getTicket(ticketId) };
  } catch (error) {
    if (isZendeskError(error) && error.kind === "not_found") return { state: "not_found" };
    return {
      state: "unverified",
      reason: isZendeskError(error) ? `The helpdesk did not answer (${error.kind}).` : "The helpdesk could not be read.",
    };
  }
}
