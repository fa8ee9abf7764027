import "server-only";
import { AppError, isAppError } from "@/lib/platform/errors";
import type { RequestMeta } from "@/lib/audit/append-audit-event";
import { getDb } from "@/lib/platform/db";
import { getLogger } from "@/lib/platform/logger";
import type { StaffSession } from "@/lib/auth/get-staff";
import { approvalPolicy, familyResetRisk, requireNoApproval } from "@/lib/approvals/reset-risk";
import type { ApprovalPolicy } from "@/lib/approvals/policy";
import { describeFamilyReset } from "./describe-reset-options";
import { loadResetSubject, sha256, type LoadedResetSubject } from "./load-reset-subject";
import type { ApprovalRef } from "./notes";
import { performScopeReset } from "./perform-scope-reset";
import { recordSkippedAttempt } from "./record-failed-attempt";
import { recordFamilyNotes } from "./record-family-notes";
import type { FamilyResetRequest, ScopeResetRequest } from "./request";

/**
 * One confirmation for a parent and the subusers the agent picked: the
 * parent first, then each subuser, every account in its own transaction with
 * its own records and admin note, all under the same ticket; then one pair of
 * ticket notes for the whole family (./record-family-notes.ts). A failure of one
 * leaves the others done; the summary says what happened to each. When the
 * parent's reset fails, its subusers are not attempted (they cannot get
 * scopes their parent lacks) and are recorded as skipped.
 */

export type FamilyMemberOutcome = "succeeded" | "replayed" | "failed" | "skipped";

export interface FamilyMemberResult {
  accountId: number;
  username: string;
  role: "parent" | "subuser";
  outcome: FamilyMemberOutcome;
  resetId: string | null;
  error: { code: string; message: string } | null;
}

export interface FamilyResetSummary {
  familyResetId: string;
  results: FamilyMemberResult[];
  /** The family's one note pair: recorded (now or by an earlier run of the same confirmation), or not (no account was reset, or it failed: replaying the confirmation records it). */
  notesRecorded: boolean;
}

export async function performFamilyReset(input: {
  parentId: number;
  request: FamilyResetRequest;
  staff: StaffSession;
  meta: RequestMeta;
  ticketVerified?: boolean | null;
  /**
   * Set when an approved request is carried out: each account's transaction checks, under its lock, that
   * what the approval is bound to did not change (`confirm(accountId, subject)` throws approval_voided),
   * instead of the approval rules; the family's notes name the approval.
   */
  approved?: ApprovedFamilyReset;
  /** The approval rules; the configured ones unless given (tests of other rules give none). */
  policy?: ApprovalPolicy;
}): Promise<FamilyResetSummary> {
  const { parentId, request, staff, meta, ticketVerified, approved } = input;
  const members = await familyMembers(
    parentId,
    request.subusers.map((s) => s.id),
  );
  const familyResetId = familyResetIdOf(request.idempotencyKey);
  if (!approved) {
    // All or nothing: a family that needs approval is refused before its first account (each account's transaction checks again).
    const subject = await loadResetSubject(getDb(), parentId, { lock: false });
    const described = describeFamilyReset(subject, request.parent?.mode ?? "default");
    const risk = await familyResetRisk(
      getDb(),
      subject,
      { ...described, parent: { ...described.parent, needsReset: request.parent !== null && described.parent.needsReset } },
      request.subusers.map((s) => s.id),
      { excludeFamilyResetId: familyResetId },
    );
    requireNoApproval(risk, input.policy ?? approvalPolicy(), new Date());
  }
  // Each account's own idempotency key, derived, so the whole family replays as one.
  const memberRequest = (
    accountId: number,
    confirm: { expectedFingerprint: string; mode: ScopeResetRequest["mode"]; acknowledgedKeyImpact?: string },
  ): ScopeResetRequest => ({
    ticket: request.ticket,
    idempotencyKey: `${request.idempotencyKey}_${accountId}`,
    reason: request.reason,
    ...confirm,
  });

  const results: FamilyMemberResult[] = [];
  const picked = request.subusers.map((s) => ({ id: s.id, username: members.get(s.id)! }));
  const attempt = async (accountId: number, role: FamilyMemberResult["role"], req: ScopeResetRequest) => {
    const username = members.get(accountId)!;
    try {
      const outcome = await performScopeReset({
        accountId,
        request: req,
        staff,
        meta,
        familyResetId,
        familyNext: role === "parent" ? picked : [],
        ticketVerified,
        policy: input.policy,
        approved: approved && {
          approvalId: approved.approvalId,
          note: approved.note,
          confirm: (subject) => approved.confirm(accountId, subject),
        },
      });
      results.push({
        accountId,
        username,
        role,
        outcome: outcome.replayed ? "replayed" : "succeeded",
        resetId: outcome.resetId,
        error: null,
      });
      return true;
    } catch (error) {
      if (!isAppError(error)) getLogger().error({ err: error, requestId: meta.requestId, accountId }, "family reset: one account failed");
      const shown = isAppError(error)
        ? { code: error.code, message: error.message }
        : { code: "internal", message: `The reset could not be completed (request id ${meta.requestId}).` };
      results.push({ accountId, username, role, outcome: "failed", resetId: null, error: shown });
      return false;
    }
  };

  const parentDone = request.parent ? await attempt(parentId, "parent", memberRequest(parentId, request.parent)) : true;
  for (const sub of request.subusers) {
    const req = memberRequest(sub.id, {
      expectedFingerprint: sub.expectedFingerprint,
      mode: sub.mode,
      acknowledgedKeyImpact: sub.acknowledgedKeyImpact,
    });
    if (parentDone) {
      await attempt(sub.id, "subuser", req);
      continue;
    }
    const message = "Not attempted: the parent's reset failed, and a subuser cannot get scopes its parent lacks.";
    const resetId = await recordSkippedAttempt({
      accountId: sub.id,
      request: req,
      staff,
      meta,
      familyResetId,
      reason: `skipped: ${message}`,
    });
    results.push({
      accountId: sub.id,
      username: members.get(sub.id)!,
      role: "subuser",
      outcome: "skipped",
      resetId,
      error: { code: "skipped", message },
    });
  }
  return { familyResetId, results, notesRecorded: await familyNotes(familyResetId, parentId, meta, approved?.note) };
}

/** An approved family reset being carried out (lib/approvals/execute-approval.ts). */
export interface ApprovedFamilyReset {
  approvalId: string;
  confirm(accountId: number, subject: LoadedResetSubject): void;
  note: ApprovalRef;
}

/** The family reset a confirmation's idempotency key names: a replay names the same family. */
export function familyResetIdOf(idempotencyKey: string): string {
  return uuidFrom(`family:${idempotencyKey}`);
}

/** The family's one note pair; a failure to record it leaves the resets done and is logged (a replay records it). */
async function familyNotes(
  familyResetId: string,
  parentId: number,
  meta: RequestMeta,
  approval: ApprovalRef | undefined,
): Promise<boolean> {
  try {
    return (await recordFamilyNotes({ familyResetId, parentId, meta, approval })).anchorResetId !== null;
  } catch (error) {
    getLogger().error({ err: error, requestId: meta.requestId, familyResetId }, "family reset: the notes could not be recorded");
    return false;
  }
}

/** Usernames of the parent and the named subusers; refuses (400, nothing done) ids that are not this parent's subusers. */
async function familyMembers(parentId: number, subuserIds: number[]): Promise<Map<number, string>> {
  const rows = await getDb().account.findMany({
    where: { OR: [{ id: parentId }, { id: { in: subuserIds }, parentId }] },
    select: { id: true, username: true, parentId: true },
  });
  const parent = rows.find((r) => r.id === parentId);
  if (!parent) throw new AppError("not_found", `No account with id ${parentId}.`);
  if (parent.parentId !== null)
    throw new AppError("bad_request", "A family reset starts from a parent account; this account is a subuser.");
  const found = new Set(rows.map((r) => r.id));
  const foreign = subuserIds.filter((id) => !found.has(id));
  if (foreign.length > 0) {
    throw new AppError("bad_request", `Not subusers of account ${parentId}: ${foreign.join(", ")}. Nothing was reset.`, {
      field: "subusers",
      ids: foreign,
    });
  }
  return new Map(rows.map((r) => [r.id, r.username]));
}

/** A stable UUID-shaped id from a text (so a replayed family request names the same family). */
function uuidFrom(text: string): string {
  const h = sha256(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}
