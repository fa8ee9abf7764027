import "server-only";
import { alreadySentDetails, findTicketReplies, ticketReplyView, type ReplyAlreadySentDetails } from "@/lib/helpdesk/find-ticket-replies";
import { helpdeskConnection } from "@/lib/helpdesk/get-zendesk";
import type { DeliveryView } from "@/lib/helpdesk/list-deliveries";
import { readTicket } from "@/lib/helpdesk/read-ticket";
import { getDb } from "@/lib/platform/db";
import { isAppError } from "@/lib/platform/errors";
import { draftCustomerReply } from "./customer-reply";
import { loadReplyFacts, replyAccountIds, type ReplySubject } from "./load-reply-facts";

/** The reply of a reset, a family reset or an account, as the console shows it: the draft of now, and the reply sent. */
export interface ReplyView {
  /** Drafted from the account's state now, signed by the agent viewing it; null when no reply can be drafted (see blocked). */
  draft: { text: string; factsFingerprint: string } | null;
  /** Why there is no draft (the scopes changed since, nothing was reset, another reply is on the ticket, …). */
  blocked: string | null;
  /** The reply sent (or being sent), with what reached the ticket. */
  sent: DeliveryView | null;
  /** Another reply about the same account already on the ticket, which this one would contradict (decision 045): no draft then. */
  otherReply: { delivery: DeliveryView; details: ReplyAlreadySentDetails } | null;
  /**
   * Why the draft cannot be sent from here now, as the server knows it (the helpdesk is not connected, the
   * ticket is closed or does not exist, no ticket is named): the panel shows it and offers Copy instead.
   */
  cannotSend: string | null;
}

/**
 * Drafted when the page or the API is read (decision 026), so it states what
 * is true now; sending checks the same facts again.
 */
export async function getReplyView(subject: ReplySubject, signer: { name: string }, ticketId?: string): Promise<ReplyView> {
  const db = getDb();
  let draft: ReplyView["draft"] = null;
  let blocked: string | null = null;
  let sent: DeliveryView | null = null;
  let otherReply: ReplyView["otherReply"] = null;
  let ticket: string | null = subject.kind === "account" ? (ticketId ?? null) : null;
  try {
    const loaded = await loadReplyFacts(db, subject);
    ticket = loaded.ticket?.ticketId ?? ticket;
    const drafted = draftCustomerReply(loaded.facts, signer);
    if (drafted.text !== null) draft = { text: drafted.text, factsFingerprint: loaded.factsFingerprint };
    else blocked = drafted.blocked;
    if (ticket) {
      const replies = await findTicketReplies(db, {
        ticketId: ticket,
        accountIds: replyAccountIds(loaded),
        own: loaded.anchorResetId ? { resetId: loaded.anchorResetId } : { accountId: loaded.accountId },
      });
      if (replies.own) sent = ticketReplyView(replies.own);
      if (replies.other) otherReply = { delivery: ticketReplyView(replies.other), details: alreadySentDetails(replies.other) };
      if (replies.refusal) {
        draft = null;
        blocked = replies.refusal.message;
      }
    }
  } catch (error) {
    if (!isAppError(error)) throw error;
    blocked = error.message;
  }
  return { draft, blocked, sent, otherReply, cannotSend: draft ? await whyNotSendable(ticket) : null };
}

/** What stops a send that the server can tell before it is tried. */
async function whyNotSendable(ticketId: string | null): Promise<string | null> {
  const connection = helpdeskConnection();
  if (!connection.connected) return "The helpdesk is not connected, so the reply cannot be sent from here: copy it into the ticket.";
  if (!ticketId) return "Set the ticket you are working on (above) to send this reply from here; you can copy it meanwhile.";
  const lookup = await readTicket(ticketId);
  if (lookup.state === "not_found")
    return `Ticket #${ticketId} does not exist in the helpdesk (deleted or merged?): copy the reply into the right ticket.`;
  if (lookup.state === "verified" && lookup.ticket.status === "closed")
    return `Ticket #${ticketId} is closed, and Zendesk accepts no more comments on a closed ticket: copy the reply into a follow-up ticket.`;
  return null;
}
