import "server-only";
import { getDb } from "@/lib/platform/db";
import { getTicketRecord, type TicketRecord } from "@/lib/scope-resets/get-ticket-record";
import { listDeliveries, type DeliveryView } from "./list-deliveries";
import { readTicket, type TicketLookup } from "./read-ticket";
import { suggestAccountsForRequester, type SuggestedAccount } from "./suggest-accounts";

export interface TicketView extends TicketRecord {
  /** The ticket as the helpdesk answers now: subject, status, requester, organization (or why it could not be read). */
  helpdesk: TicketLookup;
  /** Accounts and subusers whose e-mail is the requester's: what the ticket is most likely about. */
  suggestions: SuggestedAccount[];
  /** What Scopedesk posted (or is posting) into the ticket. */
  deliveries: DeliveryView[];
}

/** A ticket as the ticket page and GET /api/tickets/{ref} show it: the helpdesk's view, the suggestion, everything recorded and delivered. */
export async function getTicketView(ticket: { ticketId: string; url: string }): Promise<TicketView> {
  const db = getDb();
  const [record, helpdesk, deliveries] = await Promise.all([
    getTicketRecord(ticket),
    readTicket(ticket.ticketId),
    listDeliveries(db, { ticketId: ticket.ticketId }),
  ]);
  const suggestions = helpdesk.state === "verified" ? await suggestAccountsForRequester(db, helpdesk.ticket.requester.email) : [];
  return { ...record, helpdesk, suggestions, deliveries };
}
