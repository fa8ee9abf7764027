import { getTicketView, type TicketView } from "@/lib/helpdesk/get-ticket-view";
import { ticketParams } from "@/lib/http/schemas";
import { consoleEndpoint } from "./endpoint";

/** GET /api/tickets/{ref}: the ticket, what it is about, and everything recorded and delivered for it, oldest first. */
export const getTicketEndpoint = consoleEndpoint(
  { method: "GET", path: "/tickets/:ref", permission: "tickets:read", params: ticketParams },
  ({ params }): Promise<TicketView> => getTicketView(params.ref),
);
export type TicketOutput = TicketView;
