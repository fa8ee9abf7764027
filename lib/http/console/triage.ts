import { listTriagedTickets, type TriagedTicketsPage } from "@/lib/triage/list-triaged-tickets";
import { triageListQuerySchema } from "@/lib/triage/triage-list-query";
import { consoleEndpoint } from "./endpoint";

/**
 * GET /api/triage?state=&limit=&cursor=: the tickets triaged on arrival
 * (decision 031), newest first, all or by state, with how many are in each.
 * Readable by every role, as the ticket pages are.
 */
export const listTriageEndpoint = consoleEndpoint(
  { method: "GET", path: "/triage", permission: "tickets:read", query: triageListQuerySchema },
  ({ query }): Promise<TriagedTicketsPage> => listTriagedTickets(query),
);
export type ListTriageOutput = TriagedTicketsPage;
