import "server-only";
import { AppError } from "@/lib/platform/errors";
import { readTicket } from "./read-ticket";

/**
 * Before a reset: the ticket must exist in the helpdesk. A ticket the
 * helpdesk says does not exist is refused; a helpdesk that does not answer
 * does not block the reset, which is then recorded as unverified (false).
 * null: no helpdesk is connected.
 */
export async function verifyResetTicket(ticketId: string): Promise<boolean | null> {
  const lookup = await readTicket(ticketId);
  if (lookup.state === "not_found") {
    throw new AppError("ticket_not_found", `Ticket #${ticketId} does not exist in the helpdesk. Check the ticket number.`, {
      field: "ticket",
    });
  }
  return lookup.state === "verified" ? true : lookup.state === "unverified" ? false : null;
}
