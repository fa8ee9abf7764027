import "server-only";
import { getDb } from "@/lib/platform/db";
import { isAppError } from "@/lib/platform/errors";
import { loadReplyFacts, type ReplySubject } from "@/lib/scope-resets/load-reply-facts";
import type { HelpdeskDelivery } from "@/lib/generated/prisma/client";

/** What the console shows on a reply that was not posted because what it says stopped being true. */
export const REPLY_STALE_MESSAGE =
  "Not sent: the account changed since this reply was written (keys, subusers or scopes), so it may no longer be true. " +
  "Redraft it from the current facts and send it again.";

/**
 * Whether a customer reply is still true right before it is posted
 * (decision 026, amended by 042): the facts it was drafted from are read
 * again, as the send did, and compared by their fingerprint. A reply put off
 * by a rate limit, retried after dying or re-queued by an agent is checked
 * again each time; one about an account that is gone, or that no longer has
 * what the reply says it has, is not true either.
 */
export async function replyStillTrue(row: HelpdeskDelivery): Promise<boolean> {
  if (row.kind !== "customer_reply" || row.factsFingerprint === null) return true;
  const subject: ReplySubject = row.familyResetId
    ? { kind: "family", familyResetId: row.familyResetId }
    : row.resetId
      ? { kind: "reset", resetId: row.resetId }
      : { kind: "account", accountId: row.accountId! };
  try {
    const loaded = await loadReplyFacts(getDb(), subject);
    return loaded.factsFingerprint === row.factsFingerprint;
  } catch (error) {
    if (isAppError(error) && (error.code === "conflict" || error.code === "not_found")) return false;
    throw error;
  }
}
