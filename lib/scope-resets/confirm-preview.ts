import "server-only";
import { getConfig } from "@/lib/platform/config";
import type { Tx } from "@/lib/platform/db";
import { AppError, type BadRequestDetails } from "@/lib/platform/errors";
import { previewFingerprint, sha256 } from "./load-reset-subject";
import type { KeyLoss } from "./key-impact";
import { previewReset, type ResetBlock, type ResetPreview, type ResetSubject } from "./preview";
import type { ScopeResetRequest } from "./request";

/** stale_preview: what the account (and parent) hold now, as a preview fingerprint. */
export interface StalePreviewDetails {
  currentFingerprint: string;
}
/** already_reset: the reset by someone else that already did what this one would. */
export interface AlreadyResetDetails {
  resetId: string;
  actorName: string;
  actorEmail: string;
  at: string;
  ticketUrl: string;
}
/** key_impact_unacknowledged: the key losses to acknowledge, and the fingerprint that acknowledges them. */
export interface KeyImpactUnacknowledgedDetails {
  keyImpact: { fingerprint: string; losses: KeyLoss[] };
}
/** parent_lacks_scopes: the parent to reset first. */
export interface ParentLacksScopesDetails {
  parent: ResetBlock["parent"];
}

/**
 * Inside the reset's transaction, with the account locked: is the
 * confirmation still about what the agent saw? The preview (account and
 * parent scopes), the parent bound, the reason when there is nothing to do,
 * and every key loss acknowledged exactly. Returns the preview to carry out,
 * or throws the refusal the agent must see.
 */
export async function confirmPreview(tx: Tx, subject: ResetSubject, request: ScopeResetRequest): Promise<ResetPreview> {
  const fingerprint = previewFingerprint(subject);
  if (fingerprint !== request.expectedFingerprint) {
    throw await staleOrAlreadyReset(tx, subject.account.id, subject.account.scopeSetId, request.expectedFingerprint, fingerprint);
  }
  const preview = previewReset(subject, { mode: request.mode, cutoff: getConfig().signupCutoff });
  if (preview.blocked) {
    throw new AppError("parent_lacks_scopes", preview.blocked.message, {
      parent: preview.blocked.parent,
    } satisfies ParentLacksScopesDetails);
  }
  if (preview.plan.nothingToDo && !request.reason) {
    throw new AppError(
      "bad_request",
      "Both erase-job scopes are already present, so there is nothing to do. To reset anyway, give a written reason.",
      { field: "reason" } satisfies BadRequestDetails,
    );
  }
  const lossesFingerprint = preview.keyLossesIdentity === null ? null : sha256(preview.keyLossesIdentity);
  if (lossesFingerprint !== null && request.acknowledgedKeyImpact !== lossesFingerprint) {
    const losses = preview.impact.losses;
    throw new AppError(
      "key_impact_unacknowledged",
      `${losses.length === 1 ? "1 existing API key" : `${losses.length} existing API keys`} would lose scopes they use. ` +
        "Review the list and confirm that you acknowledge it, or choose the minimal reset (adds the erase-job scopes, removes nothing).",
      { keyImpact: { fingerprint: lossesFingerprint, losses } } satisfies KeyImpactUnacknowledgedDetails,
    );
  }
  return preview;
}

/**
 * The preview no longer matches. When a reset by someone else started from
 * exactly that preview and produced what the account holds now, say who and
 * when; otherwise ask the agent to review the new scopes.
 */
async function staleOrAlreadyReset(
  tx: Tx,
  accountId: number,
  scopeSetId: number,
  expectedFingerprint: string,
  currentFingerprint: string,
): Promise<AppError> {
  const [last] = await tx.$queryRaw<{ id: string; actor_name: string; actor_email: string; created_at: Date; ticket_url: string }[]>`
    SELECT r.id, r.actor_name, r.actor_email, r.created_at, r.ticket_url
    FROM scope_reset r LEFT JOIN scope_set b ON b.id = r.before_scope_set_id
    WHERE r.account_id = ${accountId} AND r.outcome = 'succeeded' AND r.after_scope_set_id = ${scopeSetId}
      AND coalesce(r.preview_fingerprint, b.fingerprint) = ${expectedFingerprint}
    ORDER BY r.created_at DESC LIMIT 1`;
  if (last) {
    return new AppError(
      "already_reset",
      `${last.actor_name} already reset the scopes of this account at ${last.created_at.toISOString()} (ticket ${last.ticket_url}). Review the account again before doing anything more.`,
      {
        resetId: last.id,
        actorName: last.actor_name,
        actorEmail: last.actor_email,
        at: last.created_at.toISOString(),
        ticketUrl: last.ticket_url,
      } satisfies AlreadyResetDetails,
    );
  }
  return new AppError(
    "stale_preview",
    "The account's scopes (or its parent's) changed since you opened the preview. Review again: reload the account and confirm the new plan.",
    { currentFingerprint } satisfies StalePreviewDetails,
  );
}
