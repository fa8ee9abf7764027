/**
 * What an agent reads when a delivery into the helpdesk went dead: what
 * happened, for which ticket, and what to do now (CODE_STYLE rule 9). Pure.
 */
import type { ZendeskError } from "./zendesk-errors";

export function deliveryFailureMessage(row: { ticketId: string; kind: string }, error: ZendeskError): string {
  const what = row.kind === "customer_reply" ? "the reply" : "this note";
  const ticket = `Ticket #${row.ticketId}`;
  switch (error.reason) {
    case "ticket_closed":
      return `${ticket} is closed, and Zendesk accepts no more comments on a closed ticket. Copy ${what} from here into a follow-up ticket.`;
    case "comment_too_large":
      return `Zendesk refused ${what} as too large for one comment (over 64 KB). Copy it from here into the ticket in parts.`;
    case "comment_limit":
      return `${ticket} already holds 5,000 comments, the most Zendesk allows. Copy ${what} from here into a follow-up ticket.`;
    default:
  }
  switch (error.kind) {
    case "not_found":
      return `${ticket} does not exist in Zendesk (deleted or merged?). Check the ticket number, then copy ${what} into the right ticket by hand.`;
    case "unauthorized":
      return (
        `Zendesk refused Scopedesk's access (${error.status ?? "no answer"}): the OAuth client may lack the tickets:write scope ` +
        `or the ticket may be out of its reach. Ask an admin to check the client, then use Retry now.`
      );
    default:
      return `Zendesk refused ${what}: ${error.message.slice(0, 300)}. Fix what it says, then use Retry now, or copy ${what} by hand.`;
  }
}

/**
 * The ticket's comments answered 404 and so did the ticket: it is gone (deleted, or never this number). What
 * was being posted may have reached it before, so this says where to look before copying anything.
 */
export function ticketGoneMessage(row: { ticketId: string; kind: string }): string {
  const what = row.kind === "customer_reply" ? "the reply" : "this note";
  return (
    `Ticket #${row.ticketId} is no longer in Zendesk (deleted, or not this number), so ${what} was not posted again. ` +
    `It may have reached the ticket before it went: if the ticket is restored, look there first, then use Retry now (it searches before posting).`
  );
}

/** A failure of Scopedesk's own (the database, a bug): the details are in the log under this try's id, never on the page. */
export function internalFailureMessage(requestId: string): string {
  return `Scopedesk could not finish this try because of an internal error (logged as ${requestId}); it is tried again.`;
}
