import "server-only";
import { can } from "@/lib/auth/permissions";
import type { Prisma } from "@/lib/generated/prisma/client";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { isPastExpiry } from "./approval-record";
import type { ApprovalViewer } from "./get-approval";
import { summaryOf } from "./get-approval";
import { approverRefusal, type AssigneeKnowledge } from "./policy";

export const APPROVAL_FILTERS = ["open", "pending", "approved", "executed", "denied", "cancelled", "expired", "voided", "all"] as const;
export type ApprovalFilter = (typeof APPROVAL_FILTERS)[number];

/** The queue shows this many; a lead's open queue is far shorter. */
const LIMIT = 100;
const ORDER: Record<string, number> = { pending: 0, approved: 1 };

/**
 * The approvals queue: for someone who may decide, every request; for an
 * agent, their own. Pending first (oldest first: the one waiting longest),
 * then approved ones waiting to be carried out, then the rest, newest first.
 * `open` (the default) is pending and approved. A live request past its time
 * is shown as expired (the sweep records it within a minute).
 */
export async function listApprovals(viewer: ApprovalViewer, filter: ApprovalFilter = "open", accountId?: number) {
  const mayDecide = can(viewer.role, "approvals:decide");
  const states: Prisma.ResetApprovalWhereInput["state"] =
    filter === "all" ? undefined : filter === "open" ? { in: ["pending", "approved"] } : filter;
  const rows = await getDb().resetApproval.findMany({
    where: {
      ...(states ? { state: states } : {}),
      ...(mayDecide ? {} : { requestedById: viewer.id }),
      ...(accountId !== undefined ? { accountId } : {}),
    },
    orderBy: { createdAt: "desc" },
    take: LIMIT,
  });
  const policy = getConfig().approvals;
  const now = new Date();
  const items = rows.map((row) => {
    const live = row.state === "pending" || row.state === "approved";
    const state = live && isPastExpiry(row, now) ? ("expired" as const) : row.state;
    const refusal = approverRefusal({
      approver: viewer,
      requester: { id: row.requestedById, email: row.requestedByEmail },
      assignee: row.assignee as unknown as AssigneeKnowledge,
      approverRoles: policy.approverRoles,
    });
    return {
      ...summaryOf(row, state),
      executing: row.executingSince !== null,
      resetId: row.resetId,
      familyResetId: row.familyResetId,
      /** Whether this viewer may decide it here (the server checks again, with the helpdesk's assignee of the moment). */
      canDecide: state === "pending" && mayDecide && refusal === null,
      cannotDecide: state === "pending" && mayDecide && refusal ? refusal.message : null,
    };
  });
  items.sort((a, b) => {
    const rank = (ORDER[a.state] ?? 2) - (ORDER[b.state] ?? 2);
    if (rank !== 0) return rank;
    // Waiting ones: the oldest first. Finished ones: the newest first.
    return (ORDER[a.state] ?? 2) < 2 ? a.requestedAt.localeCompare(b.requestedAt) : b.requestedAt.localeCompare(a.requestedAt);
  });
  return { filter, scope: mayDecide ? ("all" as const) : ("own" as const), readAt: now.toISOString(), items };
}

export type ApprovalList = Awaited<ReturnType<typeof listApprovals>>;
