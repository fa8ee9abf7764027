import { apiRoute } from "@/lib/server/api";
import { getTicketRecord } from "@/lib/server/scope-reset-view";
import { ticketParams } from "@/lib/server/schemas";

/** Every reset and note recorded for a ticket; {ref} is a ticket number, #number or URL-encoded Zendesk URL. */
export const GET = apiRoute({ permission: "tickets:read", params: ticketParams }, ({ params }) => getTicketRecord(params.ref));
