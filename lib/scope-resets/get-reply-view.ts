import "server-only";
import { listDeliveries, type DeliveryView } from "@/lib/helpdesk/list-deliveries";
import { getDb } from "@/lib/platform/db";
import { isAppError } from "@/lib/platform/errors";
import { draftCustomerReply } from "./customer-reply";
import { loadReplyFacts, type ReplySubject } from "./load-reply-facts";

/** The reply of a reset, a family reset or an account, as the console shows it: the draft of now, and the reply sent. */
export interface ReplyView {
  /** Drafted from the account's state now, signed by the agent viewing it; null when no reply can be drafted (see blocked). */
  draft: { text: string; factsFingerprint: string } | null;
  /** Why there is no draft (the scopes changed since, nothing was reset, …). */
  blocked: string | null;
  /** The reply sent (or being sent), with what reached the ticket. */
  sent: DeliveryView | null;
}

/**
 * Drafted when the page or the API is read (decision 026), so it states what
 * is true now; sending checks the same facts again.
 */
export async function getReplyView(subject: ReplySubject, signer: { name: string }, ticketId?: string): Promise<ReplyView> {
  const db = getDb();
  let draft: ReplyView["draft"] = null;
  let blocked: string | null = null;
  let anchorResetId: string | null = null;
  try {
    const loaded = await loadReplyFacts(db, subject);
    anchorResetId = loaded.anchorResetId;
    const drafted = draftCustomerReply(loaded.facts, signer);
    if (drafted.text !== null) draft = { text: drafted.text, factsFingerprint: loaded.factsFingerprint };
    else blocked = drafted.blocked;
  } catch (error) {
    if (!isAppError(error)) throw error;
    blocked = error.message;
  }
  const row = anchorResetId
    ? await db.helpdeskDelivery.findFirst({ where: { resetId: anchorResetId, kind: "customer_reply" }, select: { id: true } })
    : subject.kind === "account" && ticketId
      ? await db.helpdeskDelivery.findFirst({
          where: { resetId: null, kind: "customer_reply", accountId: subject.accountId, ticketId },
          select: { id: true },
        })
      : null;
  const [sent] = row ? await listDeliveries(db, { id: row.id }) : [];
  return { draft, blocked, sent: sent ?? null };
}
