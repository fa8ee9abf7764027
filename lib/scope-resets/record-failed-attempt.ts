import "server-only";
import { randomUUID } from "node:crypto";
import type { StaffSession } from "@/lib/auth/get-staff";
import { appendAuditEvent, type RequestMeta } from "@/lib/audit/append-audit-event";
import { getDb } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import { getLogger } from "@/lib/platform/logger";
import { CATALOG_VERSION } from "@/lib/scopes/catalog";
import { sha256 } from "./load-reset-subject";
import type { ScopeResetPlan } from "./plan";
import { resetRequestIdentity, type ScopeResetRequest } from "./request";

/**
 * A reset attempt that passed validation and then failed is recorded, in a
 * transaction of its own after the reset's rolled back: a failed reset
 * record (what it would have changed, nothing of it applied) and its audit
 * event. The reason shown is the failure's own safe message; anything
 * unexpected is recorded only as "internal error" with the request id, its
 * detail going to the log.
 */
const FAILURE_REASON_MAX = 1000;

/** Thrown inside the reset's transaction when the scopes read back do not verify. */
export class ResetVerificationError extends Error {}

/**
 * Refusals of bad input (and of an account that does not exist) change
 * nothing and leave no trace; every attempt that passed validation and then
 * failed is recorded.
 */
export function shouldRecordFailure(error: unknown): boolean {
  if (!(error instanceof AppError)) return true;
  // A reset that needs approval is not a failed reset: the request for approval that follows is recorded.
  return (
    error.code !== "bad_request" &&
    error.code !== "not_found" &&
    error.code !== "idempotency_mismatch" &&
    error.code !== "approval_required"
  );
}

/** What the record says: an expected failure's own (safe) message; for anything else, only that it failed and the request id. */
export function failureReason(error: unknown, meta: RequestMeta): string {
  const text =
    error instanceof ResetVerificationError
      ? `Verification failed: ${error.message}`
      : error instanceof AppError
        ? `${error.code}: ${error.message}`
        : `Internal error: the reset could not be completed (request id ${meta.requestId}).`;
  return text.slice(0, FAILURE_REASON_MAX);
}

export async function recordFailedAttempt(input: {
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
export function attemptFields(
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
