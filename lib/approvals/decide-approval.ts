import "server-only";
import type { RequestMeta } from "@/lib/audit/append-audit-event";
import type { StaffSession } from "@/lib/auth/get-staff";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import type { FactChange } from "./facts";
import {
  currentDrift,
  endApproval,
  isPastExpiry,
  lockApproval,
  readAssignee,
  recordApprovalStep,
  SCOPEDESK_ACTOR,
} from "./approval-record";
import { approverRefusal } from "./policy";
import { stateConflict } from "./state-conflict";

/** approval_voided: what changed since the request. */
export interface ApprovalVoidedDetails {
  approvalId: string;
  changes: FactChange[];
}
/** approval_expired: when it expired. */
export interface ApprovalExpiredDetails {
  approvalId: string;
  expiredAt: string;
}
/** approver_not_allowed: why this staff member may not decide it. */
export interface ApproverNotAllowedDetails {
  reason: "role" | "requester" | "assignee";
}

/**
 * A lead approves or denies a pending request. Under the request's row lock,
 * so of two decisions (or a decision and a cancellation) exactly one wins and
 * the other is told who was first (409). Expiry is enforced here; the
 * approver may be neither the requester nor the ticket's assignee (asked of
 * the helpdesk now; unknown when it does not answer); an approval is refused,
 * and the request void, when the account changed since it was requested.
 * Each decision is an audit event and a note in the ticket.
 */
export async function decideApproval(input: {
  approvalId: string;
  decision: "approve" | "deny";
  comment: string | null;
  staff: StaffSession;
  meta: RequestMeta;
}): Promise<{ state: "approved" | "denied" }> {
  const { approvalId, decision, staff, meta } = input;
  const policy = getConfig().approvals;
  const first = await getDb().resetApproval.findUnique({ where: { id: approvalId }, select: { ticketId: true } });
  if (!first) throw new AppError("not_found", `No approval request with id ${approvalId}.`);
  const assignee = await readAssignee(first.ticketId, { fresh: true });

  // Ending a request (expiry, drift) is committed before the refusal that says so is thrown.
  let ended: AppError | null = null;
  const result = await getDb().$transaction(
    async (tx) => {
      const row = await lockApproval(tx, approvalId);
      if (row.state !== "pending") throw stateConflict(row, "decided");
      const actor = { id: staff.id, name: staff.name, email: staff.email };
      if (isPastExpiry(row)) {
        await endApproval(tx, row, "expired", { actor: SCOPEDESK_ACTOR, meta });
        ended = new AppError(
          "approval_expired",
          `This request expired at ${row.expiresAt.toISOString()}, before it was decided. Nothing was changed; ask again if it is still needed.`,
          {
            approvalId,
            expiredAt: row.expiresAt.toISOString(),
          } satisfies ApprovalExpiredDetails,
        );
        return null;
      }
      const refusal = approverRefusal({
        approver: { id: staff.id, email: staff.email, role: staff.role },
        requester: { id: row.requestedById, email: row.requestedByEmail },
        assignee,
        approverRoles: policy.approverRoles,
      });
      if (refusal)
        throw new AppError("approver_not_allowed", refusal.message, { reason: refusal.reason } satisfies ApproverNotAllowedDetails);

      if (decision === "approve") {
        const changes = await currentDrift(tx, row);
        if (changes) {
          await endApproval(tx, row, "voided", { actor: SCOPEDESK_ACTOR, meta, changes });
          ended = new AppError(
            "approval_voided",
            "The account changed since this reset was requested, so the request is void and nothing was changed. What changed is listed; the requester may ask again.",
            { approvalId, changes } satisfies ApprovalVoidedDetails,
          );
          return null;
        }
      }
      const now = new Date();
      const state = decision === "approve" ? ("approved" as const) : ("denied" as const);
      const decided = await tx.resetApproval.update({
        where: { id: approvalId },
        data: {
          state,
          decidedById: staff.id,
          decidedByName: staff.name,
          decidedByEmail: staff.email,
          decidedAt: now,
          decisionComment: input.comment,
          updatedAt: now,
        },
      });
      await recordApprovalStep(tx, decided, state, {
        actor,
        meta,
        comment: input.comment,
        details: {
          assignee: assignee.state === "known" ? { state: "known", email: assignee.email } : assignee,
          ...(state === "approved" ? { executes: policy.executes } : {}),
        },
      });
      return { state };
    },
    { maxWait: 10_000, timeout: 15_000 },
  );
  if (ended) throw ended;
  return result!;
}
