import "server-only";
import type { ResetApproval } from "@/lib/generated/prisma/client";
import { can, type Role } from "@/lib/auth/permissions";
import { listDeliveries } from "@/lib/helpdesk/list-deliveries";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import { ticketPath } from "@/lib/tickets/ticket-ref";
import { currentDrift, isPastExpiry, planSummary, type ApprovalPlan } from "./approval-record";
import type { FactChange } from "./facts";
import { approverRefusal, type AssigneeKnowledge, type FiredRule } from "./policy";

export type ApprovalState = ResetApproval["state"];

export interface ApprovalViewer {
  id: string;
  email: string;
  role: Role;
}

/**
 * One request as its page shows it, to the requester, the approvers and
 * whoever reads the ticket's record: where it stands now (a live request
 * past its time reads as expired, one whose account changed as void, with
 * what changed, before the sweep or a decision records it), the plan, the
 * rules, the decision, the execution and the notes' delivery, and what this
 * viewer may do with it (the server checks again when they do).
 */
export async function getApprovalView(id: string, viewer: ApprovalViewer) {
  const db = getDb();
  const row = await db.resetApproval.findUnique({ where: { id } });
  if (!row) throw new AppError("not_found", `No approval request with id ${id}.`);
  const live = row.state === "pending" || row.state === "approved";
  let state: ApprovalState = row.state;
  let changes = (row.changes as unknown as FactChange[] | null) ?? [];
  if (live && isPastExpiry(row)) state = "expired";
  else if (live && row.executingSince === null) {
    const drift = await currentDrift(db, row);
    if (drift) {
      state = "voided";
      changes = drift;
    }
  }
  const plan = row.plan as unknown as ApprovalPlan;
  const lossKeyIds = planSummary(plan).keyLosses.map((l) => l.keyId);
  const [keys, deliveries] = await Promise.all([
    db.apiKey.findMany({ where: { id: { in: lossKeyIds } }, select: { id: true, lastUsedAt: true } }),
    listDeliveries(db, { approvalId: id }),
  ]);
  const policy = getConfig().approvals;
  const assignee = row.assignee as unknown as AssigneeKnowledge;
  const refusal = approverRefusal({
    approver: viewer,
    requester: { id: row.requestedById, email: row.requestedByEmail },
    assignee,
    approverRoles: policy.approverRoles,
  });
  const isRequester = viewer.id === row.requestedById;
  const executing = row.executingSince !== null;
  return {
    ...summaryOf(row, state),
    /** When this was read: what "expires in 23 hours" is counted from. */
    readAt: new Date().toISOString(),
    plan,
    planHash: row.planHash,
    assignee,
    /** What changed since the request, when it is void (live: computed now). */
    changes,
    /** When each key that would lose scopes was last used (null: never; absent: deleted since). */
    keyLastUsed: Object.fromEntries(keys.map((k) => [k.id, k.lastUsedAt?.toISOString() ?? null])) as Record<string, string | null>,
    execution: {
      executing: executing ? { by: row.executingByName, since: row.executingSince!.toISOString() } : null,
      executedAt: row.executedAt?.toISOString() ?? null,
      executedBy: row.executedByName,
      resetId: row.resetId,
      familyResetId: row.familyResetId,
      /** Where the result is: the reset's (or family reset's) page. */
      page: row.resetId
        ? `/scope-resets/${row.resetId}`
        : row.familyResetId && row.state === "executed"
          ? `/family-resets/${row.familyResetId}`
          : null,
      lastError: row.lastError,
      /** Who carries it out once approved. */
      by: policy.executes,
    },
    deliveries,
    viewer: {
      isRequester,
      canDecide: state === "pending" && can(viewer.role, "approvals:decide") && refusal === null,
      /** Why this viewer may not decide it, when they may not (null: they may, or it is not pending). */
      cannotDecide: state === "pending" && can(viewer.role, "approvals:decide") && refusal ? refusal.message : null,
      canExecute: state === "approved" && !executing && (isRequester || (policy.executes === "approver" && viewer.id === row.decidedById)),
      canCancel: isRequester && (state === "pending" || state === "approved") && !executing,
    },
  };
}

export type ApprovalView = Awaited<ReturnType<typeof getApprovalView>>;

/** What the queue and the page both show of a request. */
export function summaryOf(row: ResetApproval, state: ApprovalState) {
  const plan = row.plan as unknown as ApprovalPlan;
  const summary = planSummary(plan);
  return {
    id: row.id,
    kind: row.kind,
    /** Where it stands now (see getApprovalView); `recordedState` is what the database holds until the sweep or a step records it. */
    state,
    recordedState: row.state,
    account: plan.account,
    subusers: plan.kind === "family" ? plan.subusers.map((s) => ({ id: s.id, username: s.username })) : [],
    ticket: { ticketId: row.ticketId, url: row.ticketUrl, path: ticketPath(row.ticketId) },
    requestedBy: { id: row.requestedById, name: row.requestedByName, email: row.requestedByEmail },
    requestedAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    reason: row.reason,
    rules: row.rules as unknown as FiredRule[],
    summary: {
      mode: summary.mode,
      added: summary.added,
      removed: summary.removed,
      removedScopes: summary.removedScopes,
      keyLosses: summary.keyLosses,
    },
    decision: row.decidedAt ? { by: row.decidedByName, at: row.decidedAt.toISOString(), comment: row.decisionComment } : null,
    ended: row.endedAt ? { at: row.endedAt.toISOString(), by: row.endedByName } : null,
  };
}
