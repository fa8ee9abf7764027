"use client";

import { useQuery } from "@tanstack/react-query";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import type { TicketOutput } from "@/lib/http/console/tickets";
import { requesterMatch } from "@/lib/helpdesk/requester-match";
import { useTicket } from "./ticket-context";

/** The ticket in context as the helpdesk has it (one read per ticket and half minute, shared by the bar and the account page). */
export function useTicketView(): { ticketId: string | null; view: TicketOutput | undefined; isError: boolean } {
  const { ticket, helpdesk } = useTicket();
  const query = useQuery({
    queryKey: queryKeys.ticket(ticket?.ticketId ?? ""),
    queryFn: ({ signal }) => consoleApi.getTicket(ticket!.ticketId, signal),
    enabled: ticket !== null && helpdesk.connected,
    staleTime: 30_000,
  });
  return { ticketId: ticket?.ticketId ?? null, view: query.data, isError: query.isError };
}

/** In the ticket bar: subject and requester, or why the ticket is unverified. */
export function TicketSummary() {
  const { view } = useTicketView();
  if (!view) return null;
  const { helpdesk } = view;
  if (helpdesk.state === "verified") {
    return (
      <span className="text-slate-700" data-testid="ticket-summary">
        “{helpdesk.ticket.subject ?? "no subject"}” · {helpdesk.ticket.status} · from {helpdesk.ticket.requester.name}
        {helpdesk.ticket.requester.email ? ` <${helpdesk.ticket.requester.email}>` : ""}
        {helpdesk.ticket.organization ? ` (${helpdesk.ticket.organization.name})` : ""}
      </span>
    );
  }
  return (
    <span className="font-medium text-amber-900" data-testid="ticket-summary">
      {helpdesk.state === "not_found"
        ? "The helpdesk has no ticket with this number: a reset will refuse it."
        : helpdesk.state === "unverified"
          ? "Unverified: the helpdesk did not answer."
          : null}
    </span>
  );
}

/** On the account page: a warning when the ticket's requester is not this account's contact. */
export function RequesterCheck({ account }: { account: { email: string; parentEmail: string | null } }) {
  const { view } = useTicketView();
  if (!view || view.helpdesk.state !== "verified") return null;
  const requester = view.helpdesk.ticket.requester;
  const match = requesterMatch(requester.email, account);
  if (match === "same") return null;
  return (
    <p
      role="note"
      data-testid="requester-warning"
      className={`rounded border p-3 text-sm ${match === "other" ? "border-red-300 bg-red-50 text-red-900" : "border-amber-300 bg-amber-50"}`}
    >
      {match === "other"
        ? `This account does not belong to the ticket's requester (${requester.name} <${requester.email ?? "no e-mail"}>): check that this is the account the ticket is about before resetting.`
        : match === "same_domain"
          ? `The ticket's requester (${requester.email}) is not this account's contact, but has the same e-mail domain.`
          : `The ticket's requester has no e-mail address: check that this is the account the ticket is about.`}
    </p>
  );
}
