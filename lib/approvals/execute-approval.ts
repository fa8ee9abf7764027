import "server-only";
import type { RequestMeta } from "@/lib/audit/append-audit-event";
import type { StaffSession } from "@/lib/auth/get-staff";
import type { ResetApproval } from "@/lib/generated/prisma/client";
import { verifyResetTicket } from "@/lib/helpdesk/verify-reset-ticket";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { AppError, isAppError } from "@/lib/platform/errors";
import { getLogger } from "@/lib/platform/logger";
import type { LoadedResetSubject } from "@/lib/scope-resets/load-reset-subject";
import type { ApprovalRef } from "@/lib/scope-resets/notes";
import { familyResetIdOf, performFamilyReset, type FamilyResetSummary } from "@/lib/scope-resets/perform-family-reset";
import { performScopeReset } from "@/lib/scope-resets/perform-scope-reset";
import { approvalPageUrl } from "@/lib/scope-resets/result-urls";
import {
  currentDrift,
  endApproval,
  factsFingerprintOf,
  isPastExpiry,
  lockApproval,
  recordApprovalStep,
  SCOPEDESK_ACTOR,
  type ApprovalConfirmation,
} from "./approval-record";
import type { ApprovalExpiredDetails, ApprovalVoidedDetails } from "./decide-approval";
import { compactFacts, memberIdentity, memberIdentityOf, type CompactFacts } from "./facts";
import { executingConflict, stateConflict } from "./state-conflict";

/** A claim older than this belongs to an execution that died (a reset's transaction times out after 15 s): it may be taken over. */
const STALE_CLAIM_MS = 2 * 60_000;

export type ApprovalExecution =
  { kind: "reset"; resetId: string; replayed: boolean } | { kind: "family"; familyResetId: string; summary: FamilyResetSummary };

/**
 * Carries out an approved request exactly as approved: the stored
 * confirmation (mode, preview, acknowledged key impact), through the reset's
 * own transaction(s), whose lock-time check of the facts voids the approval
 * if the account changed. At most once: the request's row is claimed under
 * its lock (a second caller is told who is carrying it out), and the reset's
 * idempotency key is the approval's, so even a claim taken over after a crash
 * replays the reset instead of repeating it. By the requester, or by the
 * approver when APPROVAL_EXECUTES=approver.
 */
export async function executeApproval(input: { approvalId: string; staff: StaffSession; meta: RequestMeta }): Promise<ApprovalExecution> {
  const { approvalId, staff, meta } = input;
  const row = await claim(approvalId, staff, meta);
  const confirmation = row.confirmation as unknown as ApprovalConfirmation;
  const facts = row.facts as unknown as CompactFacts;
  const idempotencyKey = `approval_${row.id}`;
  const note: ApprovalRef = { requestedBy: row.requestedByName, approvedBy: row.decidedByName ?? "a lead", url: approvalPageUrl(row.id) };
  const voided = () =>
    new AppError("approval_voided", "The account changed since this reset was approved, so the approval is void and nothing was changed.", {
      approvalId,
      changes: [],
    } satisfies ApprovalVoidedDetails);
  const ticket = { ticketId: row.ticketId, url: row.ticketUrl };

  try {
    const ticketVerified = await verifyResetTicket(row.ticketId);
    if (confirmation.kind === "reset") {
      const outcome = await performScopeReset({
        accountId: row.accountId,
        request: {
          ticket,
          idempotencyKey,
          expectedFingerprint: confirmation.expectedFingerprint,
          mode: confirmation.mode,
          acknowledgedKeyImpact: confirmation.acknowledgedKeyImpact ?? undefined,
          reason: row.reason,
        },
        staff,
        meta,
        ticketVerified,
        approved: {
          approvalId,
          note,
          confirm: (subject: LoadedResetSubject) => {
            if (factsFingerprintOf(compactFacts(subject)) !== row.factsFingerprint) throw voided();
          },
        },
      });
      await finish(row, { resetId: outcome.resetId }, staff, meta);
      return { kind: "reset", resetId: outcome.resetId, replayed: outcome.replayed };
    }

    const summary = await performFamilyReset({
      parentId: row.accountId,
      request: {
        ticket,
        idempotencyKey,
        reason: row.reason,
        parent: confirmation.parent && {
          ...confirmation.parent,
          acknowledgedKeyImpact: confirmation.parent.acknowledgedKeyImpact ?? undefined,
        },
        subusers: confirmation.subusers.map((s) => ({ ...s, acknowledgedKeyImpact: s.acknowledgedKeyImpact ?? undefined })),
      },
      staff,
      meta,
      ticketVerified,
      approved: {
        approvalId,
        note,
        confirm: (accountId, subject) => {
          const same =
            accountId === row.accountId
              ? factsFingerprintOf(compactFacts(subject)) === row.factsFingerprint
              : memberIdentityOf(subject) === memberIdentity(facts, accountId);
          if (!same) throw voided();
        },
      },
    });
    const failed = summary.results.filter((r) => r.outcome === "failed" || r.outcome === "skipped");
    if (summary.results.some((r) => r.error?.code === "approval_voided")) throw voided();
    if (failed.length > 0) {
      const text = failed.map((r) => `${r.username}: ${r.error?.message ?? r.outcome}`).join("; ");
      throw new AppError(
        "conflict",
        `The family reset was only partly carried out (${text}). The approval stands: carry it out again to finish it.`,
        {
          approvalId,
          state: "approved",
          by: null,
          at: null,
          resetId: null,
          familyResetId: summary.familyResetId,
        },
      );
    }
    await finish(row, { familyResetId: summary.familyResetId }, staff, meta);
    return { kind: "family", familyResetId: summary.familyResetId, summary };
  } catch (error) {
    if (isAppError(error) && error.code === "approval_voided") {
      const changes = (await currentDrift(getDb(), row).catch(() => null)) ?? [
        { subject: "account" as const, text: "The account's scopes, keys or subusers changed since the request." },
      ];
      await getDb().$transaction(async (tx) =>
        endApproval(tx, await lockApproval(tx, approvalId), "voided", { actor: SCOPEDESK_ACTOR, meta, changes }),
      );
      throw new AppError("approval_voided", error.message, { approvalId, changes } satisfies ApprovalVoidedDetails);
    }
    await release(approvalId, error, meta);
    throw error;
  }
}

/** Takes the request for this execution, or says why not (409/403/expired), under its row lock. */
async function claim(approvalId: string, staff: StaffSession, meta: RequestMeta): Promise<ResetApproval> {
  const policy = getConfig().approvals;
  let expired: AppError | null = null;
  const claimed = await getDb().$transaction(async (tx) => {
    const row = await lockApproval(tx, approvalId);
    if (row.state !== "approved") throw stateConflict(row, "executed");
    if (isPastExpiry(row)) {
      await endApproval(tx, row, "expired", { actor: SCOPEDESK_ACTOR, meta });
      expired = new AppError(
        "approval_expired",
        `This approval expired at ${row.expiresAt.toISOString()}, before the reset was carried out. Nothing was changed; ask again if it is still needed.`,
        {
          approvalId,
          expiredAt: row.expiresAt.toISOString(),
        } satisfies ApprovalExpiredDetails,
      );
      return null;
    }
    const mayExecute = staff.id === row.requestedById || (policy.executes === "approver" && staff.id === row.decidedById);
    if (!mayExecute) {
      throw new AppError(
        "forbidden",
        policy.executes === "approver"
          ? `Only ${row.requestedByName} (who asked) or ${row.decidedByName ?? "the approver"} may carry out this approved reset.`
          : `Only ${row.requestedByName}, who asked for it, may carry out this approved reset.`,
      );
    }
    const now = new Date();
    if (row.executingSince && now.getTime() - row.executingSince.getTime() < STALE_CLAIM_MS) {
      throw executingConflict(
        { ...row, executingSince: row.executingSince },
        ` (since ${row.executingSince.toISOString()}). Reload in a moment to see the result.`,
      );
    }
    return tx.resetApproval.update({
      where: { id: approvalId },
      data: {
        executingSince: now,
        executingByName: staff.name,
        familyResetId: row.kind === "family" ? familyResetIdOf(`approval_${row.id}`) : null,
        updatedAt: now,
      },
    });
  });
  if (expired) throw expired;
  return claimed!;
}

async function finish(
  row: ResetApproval,
  done: { resetId?: string; familyResetId?: string },
  staff: StaffSession,
  meta: RequestMeta,
): Promise<void> {
  await getDb().$transaction(async (tx) => {
    const current = await lockApproval(tx, row.id);
    // The reset is done and recorded whatever happens here; only a takeover could have finished it first.
    if (current.state === "executed") return;
    const now = new Date();
    const executed = await tx.resetApproval.update({
      where: { id: row.id },
      data: {
        state: "executed",
        executedAt: now,
        executedById: staff.id,
        executedByName: staff.name,
        resetId: done.resetId ?? null,
        familyResetId: done.familyResetId ?? current.familyResetId,
        executingSince: null,
        executingByName: null,
        lastError: null,
        updatedAt: now,
      },
    });
    await recordApprovalStep(tx, executed, "executed", {
      actor: { id: staff.id, name: staff.name, email: staff.email },
      meta,
      details: { ...done, executedBy: staff.email },
    });
  });
}

/** The execution failed for another reason: the request stays approved, may be carried out again, and says why it failed. */
async function release(approvalId: string, error: unknown, meta: RequestMeta): Promise<void> {
  const message = isAppError(error) ? error.message : `The reset could not be completed (request id ${meta.requestId}).`;
  try {
    await getDb().resetApproval.updateMany({
      where: { id: approvalId, state: "approved" },
      data: { executingSince: null, executingByName: null, lastError: message.slice(0, 1000), updatedAt: new Date() },
    });
  } catch (releaseError) {
    getLogger().error({ err: releaseError, approvalId, requestId: meta.requestId }, "could not release the approval's execution claim");
  }
}
