import "server-only";
import { randomUUID } from "node:crypto";
import { getConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { CATALOG_VERSION, eraseJobScopesOf, normalizeScopes } from "@/lib/scopes/catalog";
import { appendAuditEvent, type RequestMeta } from "@/lib/server/audit";
import { getDb, type Tx } from "@/lib/server/db";
import { queueResetNotes } from "@/lib/helpdesk/queue-reset-notes";
import { getLogger } from "@/lib/server/logger";
import { ensureScopeSet } from "@/lib/server/scope-sets";
import type { StaffSession } from "@/lib/server/session";
import { loadResetSubject, previewFingerprint, sha256 } from "./load-reset-subject";
import { renderAdminNote, renderAfterNote, renderBeforeNote, type ResetNoteInput } from "./notes";
import type { ScopeResetPlan } from "./plan";
import { previewReset } from "./preview";
import { resetRequestIdentity, type ScopeResetRequest } from "./request";

/**
 * Reset Scopes as one transaction: lock the account, check the confirmed
 * preview (scopes, and every key loss acknowledged), note the scopes before,
 * apply the plan, read back and verify, note the scopes after, write the admin
 * note, the reset record and the audit event. Anything that fails rolls all of
 * it back; the failed attempt is then recorded on its own.
 */

export interface ScopeResetOutcome {
  resetId: string;
  /** True when the idempotency key had already been used for this request: nothing new was done. */
  replayed: boolean;
}

/** Thrown inside the transaction to roll it back and record why. */
class ResetVerificationError extends Error {}

const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;
const FAILURE_REASON_MAX = 1000;

export async function performScopeReset(input: {
  accountId: number;
  request: ScopeResetRequest;
  staff: StaffSession;
  meta: RequestMeta;
  /** Set when this reset is one account of a family reset. */
  familyResetId?: string;
  /** The ticket as the helpdesk answered (lib/helpdesk/verify-reset-ticket.ts): true found, false unverified, null not connected. */
  ticketVerified?: boolean | null;
}): Promise<ScopeResetOutcome> {
  const { accountId, request, staff, meta } = input;
  const requestHash = sha256(resetRequestIdentity(accountId, request));
  const started = performance.now();

  const earlier = await findReplay(request.idempotencyKey, requestHash);
  if (earlier) return earlier;

  // Known once the account is locked; the failed-attempt record keeps it.
  let beforeScopeSetId: number | null = null;
  let plan: ScopeResetPlan | null = null;
  try {
    return await getDb().$transaction(async (tx) => {
      const subject = await loadResetSubject(tx, accountId, { lock: true });
      const scopeSetId = subject.account.scopeSetId;
      beforeScopeSetId = scopeSetId;

      // A concurrent confirmation with the same key committed while we waited for the lock.
      const replay = await findReplay(request.idempotencyKey, requestHash, tx);
      if (replay) return replay;

      const fingerprint = previewFingerprint(subject);
      if (fingerprint !== request.expectedFingerprint) {
        throw await staleOrAlreadyReset(tx, accountId, scopeSetId, request.expectedFingerprint, fingerprint);
      }

      const preview = previewReset(subject, { mode: request.mode, cutoff: getConfig().signupCutoff });
      plan = preview.plan;
      if (preview.blocked) {
        throw new AppError("parent_lacks_scopes", preview.blocked.message, { parent: preview.blocked.parent });
      }
      if (plan.nothingToDo && !request.reason) {
        throw new AppError(
          "bad_request",
          "Both erase-job scopes are already present, so there is nothing to do. To reset anyway, give a written reason.",
          { field: "reason" },
        );
      }
      const lossesFingerprint = preview.keyLossesIdentity === null ? null : sha256(preview.keyLossesIdentity);
      if (lossesFingerprint !== null && request.acknowledgedKeyImpact !== lossesFingerprint) {
        const losses = preview.impact.losses;
        throw new AppError(
          "key_impact_unacknowledged",
          `${losses.length === 1 ? "1 existing API key" : `${losses.length} existing API keys`} would lose scopes they use. ` +
            "Review the list and confirm that you acknowledge it, or choose the minimal reset (adds the erase-job scopes, removes nothing).",
          { keyImpact: { fingerprint: lossesFingerprint, losses } },
        );
      }

      const { account } = subject;
      const resetId = randomUUID();
      const at = new Date();
      const actor = { id: staff.id, name: staff.name, email: staff.email };
      const noteInput: ResetNoteInput = {
        account: { id: account.id, username: account.username, email: account.email },
        ticket: request.ticket,
        actor,
        at,
        plan,
        reason: request.reason,
        catalogVersion: CATALOG_VERSION,
        impact: preview.impact,
      };
      const noteBase = {
        ticketId: request.ticket.ticketId,
        ticketUrl: request.ticket.url,
        accountId: account.id,
        resetId,
        authorId: staff.id,
        authorName: staff.name,
        createdAt: at,
      };

      const beforeNote = renderBeforeNote(noteInput);
      await tx.ticketNote.create({ data: { ...noteBase, id: randomUUID(), kind: "scopes_before", body: beforeNote } });

      const afterSet = await ensureScopeSet(tx, plan.after);
      await tx.account.update({ where: { id: account.id }, data: { scopeSetId: afterSet.id, scopesUpdatedAt: at } });

      const readBack = await readScopes(tx, account.id);
      verifyReadBack(plan, readBack);

      const afterNote = renderAfterNote(noteInput);
      await tx.ticketNote.create({ data: { ...noteBase, id: randomUUID(), kind: "scopes_after", body: afterNote } });
      await tx.adminNote.create({
        data: {
          id: randomUUID(),
          accountId: account.id,
          ticketId: request.ticket.ticketId,
          ticketUrl: request.ticket.url,
          resetId,
          body: renderAdminNote(noteInput),
          authorId: staff.id,
          authorName: staff.name,
          createdAt: at,
        },
      });
      await tx.scopeReset.create({
        data: {
          id: resetId,
          ...attemptFields(account.id, request, requestHash, staff, meta, input.familyResetId),
          outcome: "succeeded",
          beforeScopeSetId: scopeSetId,
          afterScopeSetId: afterSet.id,
          beforeCount: plan.before.length,
          afterCount: plan.after.length,
          added: plan.added,
          removed: plan.removed,
          verified: true,
          ticketVerified: input.ticketVerified ?? null,
          impact: JSON.parse(JSON.stringify(preview.impact)),
          durationMs: Math.round(performance.now() - started),
          createdAt: at,
        },
      });
      // The notes go into the ticket after commit, by the worker (outbox): never slower, never blocked by Zendesk.
      const delivering = await queueResetNotes(tx, {
        resetId,
        ticketId: request.ticket.ticketId,
        notes: [
          { kind: "scopes_before", body: beforeNote },
          { kind: "scopes_after", body: afterNote },
        ],
        requestedBy: actor,
      });
      // Last: the audit chain head stays locked until commit.
      await appendAuditEvent(tx, {
        actor,
        action: "scope_reset.succeeded",
        target: { type: "account", id: String(account.id) },
        ticketId: request.ticket.ticketId,
        details: {
          resetId,
          mode: plan.mode,
          ...(input.familyResetId ? { familyResetId: input.familyResetId } : {}),
          before: { count: plan.before.length, fingerprint: account.fingerprint },
          after: { count: plan.after.length, fingerprint: afterSet.fingerprint },
          added: plan.added,
          removed: plan.removed,
          keyLossesAcknowledged: preview.impact.losses.map((l) => ({ keyId: l.keyId, accountId: l.accountId, loses: l.loses })),
          subusersLackingEraseJob: preview.impact.subusersLackingEraseJob.map((s) => s.id),
          anomaly: preview.impact.anomaly !== null,
          reason: request.reason,
          ticketVerified: input.ticketVerified ?? null,
          notesQueuedForHelpdesk: delivering,
          catalogVersion: CATALOG_VERSION,
        },
        meta,
        occurredAt: at,
      });
      return { resetId, replayed: false };
    }, TRANSACTION_OPTIONS);
  } catch (error) {
    // The same key raced us on another account (unique index on succeeded keys): answer as a replay would.
    if (isUniqueViolation(error)) {
      const replay = await findReplay(request.idempotencyKey, requestHash);
      if (replay) return replay;
    }
    if (!shouldRecordFailure(error)) throw error;
    const reason = failureReason(error, meta);
    await recordFailedAttempt({
      accountId,
      request,
      requestHash,
      staff,
      meta,
      beforeScopeSetId,
      plan,
      reason,
      familyResetId: input.familyResetId,
      durationMs: Math.round(performance.now() - started),
    });
    if (error instanceof ResetVerificationError) {
      throw new AppError("reset_failed", `The reset did not verify, so nothing was changed: ${error.message}`, {
        requestId: meta.requestId,
      });
    }
    throw error;
  }
}

async function readScopes(tx: Tx, accountId: number): Promise<string[]> {
  const [row] = await tx.$queryRaw<{ scopes: string[] }[]>`
    SELECT s.scopes FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE a.id = ${accountId}`;
  return row?.scopes ?? [];
}

/** The procedure's "check the two scopes arrived", done on what the database now holds. */
function verifyReadBack(plan: ScopeResetPlan, readBack: string[]): void {
  const erase = eraseJobScopesOf(readBack);
  if (!erase.both) throw new ResetVerificationError(`after the update the account still lacks ${erase.missing.join(" and ")}.`);
  const expected = plan.after.join("\n");
  if (normalizeScopes(readBack).join("\n") !== expected) {
    throw new ResetVerificationError(
      `the account holds ${readBack.length} scopes after the update, not the ${plan.after.length} planned.`,
    );
  }
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
      { resetId: last.id, actorName: last.actor_name, actorEmail: last.actor_email, at: last.created_at.toISOString(), ticketUrl: last.ticket_url },
    );
  }
  return new AppError(
    "stale_preview",
    "The account's scopes (or its parent's) changed since you opened the preview. Review again: reload the account and confirm the new plan.",
    { currentFingerprint },
  );
}

async function findReplay(idempotencyKey: string, requestHash: string, tx?: Tx): Promise<ScopeResetOutcome | null> {
  const db = tx ?? getDb();
  const earlier = await db.scopeReset.findFirst({
    where: { idempotencyKey, outcome: "succeeded" },
    select: { id: true, requestHash: true },
  });
  if (!earlier) return null;
  if (earlier.requestHash !== requestHash) {
    throw new AppError(
      "idempotency_mismatch",
      "This idempotency key was already used for a different reset request. Open the preview again to get a new key.",
      { resetId: earlier.id },
    );
  }
  return { resetId: earlier.id, replayed: true };
}

/**
 * Refusals of bad input (and of an account that does not exist) change
 * nothing and leave no trace; every attempt that passed validation and then
 * failed is recorded.
 */
function shouldRecordFailure(error: unknown): boolean {
  if (!(error instanceof AppError)) return true;
  return error.code !== "bad_request" && error.code !== "not_found" && error.code !== "idempotency_mismatch";
}

/** What the record says: an expected failure's own (safe) message; for anything else, only that it failed and the request id. */
function failureReason(error: unknown, meta: RequestMeta): string {
  const text =
    error instanceof ResetVerificationError
      ? `Verification failed: ${error.message}`
      : error instanceof AppError
        ? `${error.code}: ${error.message}`
        : `Internal error: the reset could not be completed (request id ${meta.requestId}).`;
  return text.slice(0, FAILURE_REASON_MAX);
}

async function recordFailedAttempt(input: {
  accountId: number;
  request: ScopeResetRequest;
  requestHash: string;
  staff: StaffSession;
  meta: RequestMeta;
  beforeScopeSetId: number | null;
  plan: ScopeResetPlan | null;
  reason: string;
  familyResetId?: string;
  durationMs: number;
}): Promise<string | null> {
  const { accountId, request, staff, meta, plan } = input;
  const id = randomUUID();
  try {
    await getDb().$transaction(async (tx) => {
      await tx.scopeReset.create({
        data: {
          id,
          ...attemptFields(accountId, request, input.requestHash, staff, meta, input.familyResetId),
          outcome: "failed",
          beforeScopeSetId: input.beforeScopeSetId,
          beforeCount: plan?.before.length ?? null,
          // What the attempt would have changed; nothing of it was applied.
          added: plan?.added ?? [],
          removed: plan?.removed ?? [],
          verified: false,
          durationMs: input.durationMs,
          failureReason: input.reason,
        },
      });
      await appendAuditEvent(tx, {
        actor: { id: staff.id, name: staff.name, email: staff.email },
        action: "scope_reset.failed",
        target: { type: "account", id: String(accountId) },
        ticketId: request.ticket.ticketId,
        details: { resetId: id, mode: request.mode, reason: input.reason, catalogVersion: CATALOG_VERSION },
        meta,
      });
    });
    return id;
  } catch (recordError) {
    // The account may not exist (FK) or the database may be down; the caller still gets the original error.
    getLogger().error({ err: recordError, requestId: meta.requestId, accountId }, "could not record the failed reset attempt");
    return null;
  }
}

/** A family member that was not attempted (its parent's reset failed), recorded as a failed attempt saying so. */
export async function recordSkippedAttempt(input: {
  accountId: number;
  request: ScopeResetRequest;
  staff: StaffSession;
  meta: RequestMeta;
  familyResetId: string;
  reason: string;
}): Promise<string | null> {
  return recordFailedAttempt({
    ...input,
    requestHash: sha256(resetRequestIdentity(input.accountId, input.request)),
    beforeScopeSetId: null,
    plan: null,
    durationMs: 0,
  });
}

/** What every reset record holds, succeeded or failed: who, which ticket, which request. */
function attemptFields(
  accountId: number,
  request: ScopeResetRequest,
  requestHash: string,
  staff: StaffSession,
  meta: RequestMeta,
  familyResetId: string | undefined,
) {
  return {
    accountId,
    actorId: staff.id,
    actorName: staff.name,
    actorEmail: staff.email,
    ticketId: request.ticket.ticketId,
    ticketUrl: request.ticket.url,
    idempotencyKey: request.idempotencyKey,
    requestHash,
    reason: request.reason,
    mode: request.mode,
    previewFingerprint: request.expectedFingerprint,
    familyResetId: familyResetId ?? null,
    catalogVersion: CATALOG_VERSION,
    requestId: meta.requestId,
    clientRequestId: meta.clientRequestId ?? null,
    clientIp: meta.ip,
    userAgent: meta.userAgent,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } };
  return e?.code === "P2002" || e?.meta?.code === "23505" || e?.meta?.driverAdapterError?.cause?.originalCode === "23505";
}
