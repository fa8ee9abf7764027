import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { AppError } from "@/lib/errors";
import { CATALOG_VERSION, eraseJobScopesOf, normalizeScopes } from "@/lib/scopes/catalog";
import { planScopeReset, type ScopeResetPlan } from "@/lib/scope-resets/plan";
import { renderAdminNote, renderAfterNote, renderBeforeNote, type ResetNoteInput } from "@/lib/scope-resets/notes";
import { resetRequestIdentity, type ScopeResetRequest } from "@/lib/scope-resets/request";
import { appendAuditEvent, type RequestMeta } from "./audit";
import { getDb, type Tx } from "./db";
import { getLogger } from "./logger";
import { scopeSetById } from "./scope-set-cache";
import { ensureScopeSet } from "./scope-sets";
import type { StaffSession } from "./session";

/**
 * Reset Scopes as one transaction: lock the account, note the scopes before,
 * apply the plan, read back and verify, note the scopes after, write the admin
 * note, the reset record and the audit event. Anything that fails rolls all of
 * it back; the failed attempt is then recorded on its own.
 */

export interface ScopeResetOutcome {
  resetId: string;
  /** True when the idempotency key had already been used for this request: nothing new was done. */
  replayed: boolean;
}

interface LockedAccount {
  id: number;
  username: string;
  email: string;
  scope_set_id: number;
  scopes: string[];
  fingerprint: string;
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
      const account = await lockAccount(tx, accountId);
      beforeScopeSetId = account.scope_set_id;

      // A concurrent confirmation with the same key committed while we waited for the lock.
      const replay = await findReplay(request.idempotencyKey, requestHash, tx);
      if (replay) return replay;

      if (account.fingerprint !== request.expectedFingerprint) {
        throw await staleOrAlreadyReset(tx, account, request.expectedFingerprint);
      }

      plan = planScopeReset(account.scopes);
      if (plan.nothingToDo && !request.reason) {
        throw new AppError(
          "bad_request",
          "Both erase-job scopes are already present, so there is nothing to do. To reset anyway, give a written reason.",
          { field: "reason" },
        );
      }

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

      await tx.ticketNote.create({ data: { ...noteBase, id: randomUUID(), kind: "scopes_before", body: renderBeforeNote(noteInput) } });

      const afterSet = await ensureScopeSet(tx, plan.after);
      await tx.account.update({ where: { id: account.id }, data: { scopeSetId: afterSet.id, scopesUpdatedAt: at } });

      const readBack = await readScopes(tx, account.id);
      verifyReadBack(plan, readBack);

      await tx.ticketNote.create({ data: { ...noteBase, id: randomUUID(), kind: "scopes_after", body: renderAfterNote(noteInput) } });
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
          ...attemptFields(account.id, request, requestHash, staff, meta),
          outcome: "succeeded",
          beforeScopeSetId: account.scope_set_id,
          afterScopeSetId: afterSet.id,
          beforeCount: plan.before.length,
          afterCount: plan.after.length,
          added: plan.added,
          removed: plan.removed,
          verified: true,
          durationMs: Math.round(performance.now() - started),
          createdAt: at,
        },
      });
      // Last: the audit chain head stays locked until commit.
      await appendAuditEvent(tx, {
        actor,
        action: "scope_reset.succeeded",
        target: { type: "account", id: String(account.id) },
        ticketId: request.ticket.ticketId,
        details: {
          resetId,
          before: { count: plan.before.length, fingerprint: account.fingerprint },
          after: { count: plan.after.length, fingerprint: afterSet.fingerprint },
          added: plan.added,
          removed: plan.removed,
          reason: request.reason,
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
    const reason = failureReason(error);
    await recordFailedAttempt({
      accountId,
      request,
      requestHash,
      staff,
      meta,
      beforeScopeSetId,
      plan,
      reason,
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

async function lockAccount(tx: Tx, accountId: number): Promise<LockedAccount> {
  // The account row alone: a join here would, for a waiter whose row changed
  // meanwhile, be re-checked against the old scope set row and return nothing.
  const [account] = await tx.$queryRaw<Omit<LockedAccount, "scopes" | "fingerprint">[]>`
    SELECT id, username, email, scope_set_id FROM account WHERE id = ${accountId} FOR UPDATE`;
  if (!account) throw new AppError("not_found", `No account with id ${accountId}.`);
  const set = await scopeSetById(tx, account.scope_set_id);
  return { ...account, scopes: set.scopes, fingerprint: set.fingerprint };
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
async function staleOrAlreadyReset(tx: Tx, account: LockedAccount, expectedFingerprint: string): Promise<AppError> {
  const [last] = await tx.$queryRaw<{ id: string; actor_name: string; actor_email: string; created_at: Date; ticket_url: string }[]>`
    SELECT r.id, r.actor_name, r.actor_email, r.created_at, r.ticket_url
    FROM scope_reset r JOIN scope_set b ON b.id = r.before_scope_set_id
    WHERE r.account_id = ${account.id} AND r.outcome = 'succeeded'
      AND r.after_scope_set_id = ${account.scope_set_id} AND b.fingerprint = ${expectedFingerprint}
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
    "The account's scopes changed since you opened the preview. Review again: reload the account and confirm the new plan.",
    { currentFingerprint: account.fingerprint },
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

/** Refusals of bad input change nothing and leave no trace; everything else that stops a reset is recorded. */
function shouldRecordFailure(error: unknown): boolean {
  if (!(error instanceof AppError)) return true;
  return error.code === "stale_preview" || error.code === "already_reset";
}

function failureReason(error: unknown): string {
  const text =
    error instanceof ResetVerificationError
      ? `Verification failed: ${error.message}`
      : error instanceof AppError
        ? `${error.code}: ${error.message}`
        : `Error: ${error instanceof Error ? error.message : String(error)}`;
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
  durationMs: number;
}): Promise<void> {
  const { accountId, request, staff, meta, plan } = input;
  try {
    await getDb().$transaction(async (tx) => {
      const id = randomUUID();
      await tx.scopeReset.create({
        data: {
          id,
          ...attemptFields(accountId, request, input.requestHash, staff, meta),
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
        details: { resetId: id, reason: input.reason, catalogVersion: CATALOG_VERSION },
        meta,
      });
    });
  } catch (recordError) {
    // The account may not exist (FK) or the database may be down; the caller still gets the original error.
    getLogger().error({ err: recordError, requestId: meta.requestId, accountId }, "could not record the failed reset attempt");
  }
}

/** What every reset record holds, succeeded or failed: who, which ticket, which request. */
function attemptFields(accountId: number, request: ScopeResetRequest, requestHash: string, staff: StaffSession, meta: RequestMeta) {
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
    catalogVersion: CATALOG_VERSION,
    requestId: meta.requestId,
    clientIp: meta.ip,
    userAgent: meta.userAgent,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } };
  return e?.code === "P2002" || e?.meta?.code === "23505" || e?.meta?.driverAdapterError?.cause?.originalCode === "23505";
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
