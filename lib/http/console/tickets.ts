import { listDeliveries, type DeliveryView } from "@/lib/helpdesk/list-deliveries";
import { readTicket, type TicketLookup } from "@/lib/helpdesk/read-ticket";
import { suggestAccountsForRequester, type SuggestedAccount } from "@/lib/helpdesk/suggest-accounts";
import { getDb } from "@/lib/server/db";
import { ticketParams } from "@/lib/server/schemas";
import { getTicketRecord, type TicketRecord } from "@/lib/server/scope-reset-view";
import { consoleEndpoint } from "./endpoint";

export interface TicketOutput extends TicketRecord {
  /** The ticket as the helpdesk answers now: subject, status, requester, organization (or why it could not be read). */
  helpdesk: TicketLookup;
  /** Accounts whose e-mail is the requester's. */
  suggestions: SuggestedAccount[];
  /** What Scopedesk posted (or is posting) into the ticket. */
  deliveries: DeliveryView[];
}

/** GET /api/tickets/{ref}: the ticket, what it is about, and everything recorded and delivered for it, oldest first. */
export const getTicketEndpoint = consoleEndpoint({ method: "GET", path: "/tickets/:ref", permission: "tickets:read", params: ticketParams }, async ({ params }): Promise<TicketOutput> => {
  const db = getDb();
  const [record, helpdesk, deliveries] = await Promise.all([getTicketRecord(params.ref), readTicket(params.ref.ticketId), listDeliveries(db, { ticketId: params.ref.ticketId })]);
  const suggestions = helpdesk.state === "verified" ? await suggestAccountsForRequester(db, helpdesk.ticket.requester.email) : [];
  return { ...record, helpdesk, suggestions, deliveries };
});
