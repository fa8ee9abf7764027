import "server-only";
import { AppError } from "@/lib/platform/errors";
import { helpdeskConnection } from "@/lib/helpdesk/get-zendesk";
import { listDeliveries } from "@/lib/helpdesk/list-deliveries";
import { NO_IMPACT, type ResetImpact } from "@/lib/scope-resets/notes";
import { eraseJobScopesOf } from "@/lib/scopes/catalog";
import { getDb } from "@/lib/platform/db";
import { findApprovalOfReset } from "@/lib/approvals/find-approval-of-reset";
import { getReplyView, type ReplyView } from "./get-reply-view";
import { resetFacts, toNote } from "./reset-facts";

/**
 * What the result page, the JSON API and the ticket page show of a reset: the
 * ticket's shared working record, readable by whoever may read tickets. Audit
 * metadata (client IP, user agent, the audit events) stays in the audit
 * workspace, which applies the agent-sees-own-resets rule (decision 004).
 */

const resetSelect = {
  id: true,
  accountId: true,
  outcome: true,
  actorId: true,
  actorName: true,
  actorEmail: true,
  ticketId: true,
  ticketUrl: true,
  reason: true,
  added: true,
  removed: true,
  beforeCount: true,
  afterCount: true,
  verified: true,
  catalogVersion: true,
  requestId: true,
  durationMs: true,
  failureReason: true,
  mode: true,
  impact: true,
  familyResetId: true,
  ticketVerified: true,
  createdAt: true,
  account: { select: { id: true, username: true, email: true } },
  beforeScopeSet: { select: { scopes: true } },
  afterScopeSet: { select: { scopes: true } },
  ticketNotes: { select: { id: true, kind: true, body: true, authorName: true, createdAt: true }, orderBy: { createdAt: "asc" } },
  adminNote: { select: { id: true, body: true, authorName: true, createdAt: true } },
} as const;

/**
 * `viewer`: who reads it; the reply is drafted from the account's state now
 * and signed with their name (decision 026).
 */
export async function getScopeResetView(id: string, viewer: { name: string }) {
  const db = getDb();
  const reset = await db.scopeReset.findUnique({ where: { id }, select: resetSelect });
  if (!reset) throw new AppError("not_found", `No scope reset with id ${id}.`);

  const before = reset.beforeScopeSet?.scopes ?? null;
  const after = reset.afterScopeSet?.scopes ?? null;
  // A family's accounts share the family's one note pair, recorded on its first reset.
  const ticketNotes = reset.familyResetId
    ? await db.ticketNote.findMany({
        where: { familyResetId: reset.familyResetId },
        select: { id: true, kind: true, body: true, authorName: true, createdAt: true },
      })
    : reset.ticketNotes;
  const note = (kind: "scopes_before" | "scopes_after") => toNote(ticketNotes.find((n) => n.kind === kind));

  let impact: ResetImpact | null = null;
  let reply: ReplyView | null = null;
  if (reset.outcome === "succeeded" && before && after) {
    impact = (reset.impact as ResetImpact | null) ?? (await legacyImpact(reset.accountId, reset.createdAt));
    // A family's reply is the family's, on its page.
    if (!reset.familyResetId) reply = await getReplyView({ kind: "reset", resetId: reset.id }, viewer);
  }

  return {
    ...resetFacts(reset),
    account: reset.account,
    before,
    after,
    eraseJobBefore: before ? eraseJobScopesOf(before) : null,
    eraseJobAfter: after ? eraseJobScopesOf(after) : null,
    mode: reset.mode,
    familyResetId: reset.familyResetId,
    notes: { before: note("scopes_before"), after: note("scopes_after"), admin: toNote(reset.adminNote) },
    /** What the reset meant for keys and subusers, as confirmed (null for a failed attempt). */
    impact,
    /** The reply: drafted from the account as it is now, and as sent (null for a failed attempt and for a family's account: see the family). */
    reply,
    /** The notes as delivered (or being delivered) into the ticket: the family's, for one of its accounts. */
    deliveries: (await listDeliveries(db, reset.familyResetId ? { familyResetId: reset.familyResetId } : { resetId: reset.id })).filter(
      (d) => d.kind !== "customer_reply",
    ),
    /** Whether the console can post into the helpdesk (else the notes are copied by hand). */
    helpdesk: { connected: helpdeskConnection().connected, ticketVerified: reset.ticketVerified },
    /** The approval it was carried out under (decision 040), if it needed one. */
    approval: await findApprovalOfReset(db, { resetId: reset.id, familyResetId: reset.familyResetId }),
  };
}

export type ScopeResetView = Awaited<ReturnType<typeof getScopeResetView>>;

/**
 * Resets recorded before the impact was stored: the keys that existed at the
 * reset and lack the erase-job scopes, as the reply then named them.
 */
async function legacyImpact(accountId: number, at: Date): Promise<ResetImpact> {
  const keys = await getDb().apiKey.findMany({
    where: { accountId, createdAt: { lte: at } },
    orderBy: { createdAt: "asc" },
    select: { id: true, name: true, scopeSet: { select: { scopes: true } }, account: { select: { username: true } } },
  });
  return {
    ...NO_IMPACT,
    keysLackingEraseJob: keys.flatMap((k) => {
      const missing = eraseJobScopesOf(k.scopeSet.scopes).missing;
      return missing.length === 0 ? [] : [{ keyId: k.id, keyName: k.name, accountId, accountUsername: k.account.username, missing }];
    }),
  };
}
