import "server-only";
import { randomUUID } from "node:crypto";
import { AppError } from "@/lib/platform/errors";
import { CATALOG_VERSION, eraseJobScopesOf, normalizeScopes } from "@/lib/scopes/catalog";
import { appendAuditEvent, type RequestMeta } from "@/lib/audit/append-audit-event";
import { getDb, type Tx } from "@/lib/platform/db";
import { queueResetNotes } from "@/lib/helpdesk/queue-reset-notes";
import { ensureScopeSet } from "@/lib/scopes/ensure-scope-set";
import type { StaffSession } from "@/lib/auth/get-staff";
import { confirmPreview } from "./confirm-preview";
import { findResetReplay, type ScopeResetOutcome } from "./find-reset-replay";
import { loadResetSubject, sha256 } from "./load-reset-subject";
import { renderAdminNote, renderAfterNote, renderBeforeNote, type ResetNoteInput } from "./notes";
import type { ScopeResetPlan } from "./plan";
import { attemptFields, failureReason, recordFailedAttempt, ResetVerificationError, shouldRecordFailure } from "./record-failed-attempt";
import { resetRequestIdentity, type ScopeResetRequest } from "./request";
import { resetPageUrl } from "./result-urls";
import { approvalPolicy, lastResets, requireNoApproval, singleResetRisk } from "@/lib/approvals/reset-risk";
import type { ApprovalPolicy } from "@/lib/approvals/policy";
import type { LoadedResetSubject } from "./load-reset-subject";

export type { ScopeResetOutcome } from "./find-reset-replay";

/** reset_failed: the request id under which the failure was logged. */
export interface ResetFailedDetails {
  requestId: string;
}

/**
 * Reset Scopes as one transaction: lock the account, check the confirmed
 * preview (scopes, and every key loss acknowledged), note the scopes before,
 * apply the plan, read back and verify, note the scopes after, write the admin
 * note, the reset record and the audit event. Anything that fails rolls all of
 * it back; the failed attempt is then recorded on its own.
 */

const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

export async function performScopeReset(input: {
  accountId: number;
  request: ScopeResetRequest;
  staff: StaffSession;
  meta: RequestMeta;
  /**
   * Set when this reset is one account of a family reset: it then writes no
   * ticket notes of its own (the family writes one pair for all its accounts,
   * ./record-family-notes.ts), and its admin note names the subusers the same
   * confirmation resets next (`familyNext`).
   */
  familyResetId?: string;
  familyNext?: readonly { id: number; username: string }[];
  /** The ticket as the helpdesk answered (lib/helpdesk/verify-reset-ticket.ts): true found, false unverified, null not connected. */
  ticketVerified?: boolean | null;
  /**
   * Set when an approved request is carried out (lib/approvals/execute-approval.ts): instead of the
   * approval rules, the facts the approval is bound to are checked under the lock (`confirm` throws
   * approval_voided when they changed), and the notes and audit event name the approval.
   */
  approved?: ApprovedReset;
  /** The approval rules; the configured ones unless given (tests of other rules give none). */
  policy?: ApprovalPolicy;
}): Promise<ScopeResetOutcome> {
  const { accountId, request, staff, meta } = input;
  const requestHash = sha256(resetRequestIdentity(accountId, request));
  const started = performance.now();

  const earlier = await findResetReplay(request.idempotencyKey, requestHash);
  if (earlier) return earlier;

  // Known once the account is locked; the failed-attempt record keeps it.
  let beforeScopeSetId: number | null = null;
  let failedPlan: ScopeResetPlan | null = null;
  try {
    return await getDb().$transaction(async (tx) => {
      const subject = await loadResetSubject(tx, accountId, { lock: true });
      const scopeSetId = subject.account.scopeSetId;
      beforeScopeSetId = scopeSetId;

      // A concurrent confirmation with the same key committed while we waited for the lock.
      const replay = await findResetReplay(request.idempotencyKey, requestHash, tx);
      if (replay) return replay;

      // An approved reset is bound to the facts the approver saw: drift voids it before anything else is judged.
      if (input.approved) input.approved.confirm(subject);
      const preview = await confirmPreview(tx, subject, request);
      const plan = preview.plan;
      failedPlan = plan;
      if (!input.approved) {
        const last = await lastResets(tx, [subject.account], { excludeFamilyResetId: input.familyResetId });
        requireNoApproval(singleResetRisk(subject, preview, last), input.policy ?? approvalPolicy(), new Date());
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
        resultUrl: resetPageUrl(resetId),
        familyNext: input.familyNext,
        approval: input.approved?.note,
      };
      const inFamily = input.familyResetId !== undefined;
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
      if (!inFamily) await tx.ticketNote.create({ data: { ...noteBase, id: randomUUID(), kind: "scopes_before", body: beforeNote } });

      const afterSet = await ensureScopeSet(tx, plan.after);
      await tx.account.update({ where: { id: account.id }, data: { scopeSetId: afterSet.id, scopesUpdatedAt: at } });

      const readBack = await readScopes(tx, account.id);
      verifyReadBack(plan, readBack);

      const afterNote = renderAfterNote(noteInput);
      if (!inFamily) await tx.ticketNote.create({ data: { ...noteBase, id: randomUUID(), kind: "scopes_after", body: afterNote } });
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
      // A family's accounts leave that to the family's one note pair.
      const delivering = inFamily
        ? false
        : await queueResetNotes(tx, {
            resetId,
            accountId: account.id,
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
          ...(input.approved ? { approvalId: input.approved.approvalId } : {}),
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
      const replay = await findResetReplay(request.idempotencyKey, requestHash);
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
      plan: failedPlan,
      reason,
      familyResetId: input.familyResetId,
      durationMs: Math.round(performance.now() - started),
    });
    if (error instanceof ResetVerificationError) {
      throw new AppError("reset_failed", `The reset did not verify, so nothing was changed: ${error.message}`, {
        requestId: meta.requestId,
      } satisfies ResetFailedDetails);
    }
    throw error;
  }
}

/** An approval being carried out: what the reset is bound to, and what its notes say of it. */
export interface ApprovedReset {
  approvalId: string;
  /** Throws approval_voided when the facts the approval is bound to changed (read under the account's lock). */
  confirm(subject: LoadedResetSubject): void;
  note: { requestedBy: string; approvedBy: string; url: string };
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
    throw new ResetVerificationError(`the account holds ${readBack.length} scopes after the update, not the ${plan.after.length} planned.`);
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } };
  return e?.code === "P2002" || e?.meta?.code === "23505" || e?.meta?.driverAdapterError?.cause?.originalCode === "23505";
}
