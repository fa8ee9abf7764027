import type { ResetApproval } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/platform/errors";

/** conflict on a step: the request is no longer where this step needs it; who moved it and when. */
export interface ApprovalStateConflictDetails {
  approvalId: string;
  state: string;
  by: string | null;
  at: string | null;
  resetId: string | null;
  familyResetId: string | null;
}

/**
 * The 409 the loser of a race reads: what state the request is in now, who
 * put it there and when, in words (CODE_STYLE rule 9).
 */
export function stateConflict(row: ResetApproval, attempted: "decided" | "executed" | "cancelled"): AppError {
  const at = (d: Date | null) => (d ? ` at ${d.toISOString()}` : "");
  const what: Record<ResetApproval["state"], string> = {
    pending: "is still waiting for a lead's decision",
    approved: `was already approved by ${row.decidedByName ?? "a lead"}${at(row.decidedAt)}`,
    denied: `was denied by ${row.decidedByName ?? "a lead"}${at(row.decidedAt)}`,
    cancelled: `was cancelled by ${row.endedByName ?? "its requester"}${at(row.endedAt)}`,
    expired: `expired${at(row.endedAt ?? row.expiresAt)}`,
    voided: `is void: the account changed since it was requested${at(row.endedAt)}`,
    executed: `was already carried out by ${row.executedByName ?? "someone"}${at(row.executedAt)}`,
  };
  const by =
    row.state === "approved" || row.state === "denied"
      ? row.decidedByName
      : row.state === "executed"
        ? row.executedByName
        : row.state === "cancelled"
          ? row.endedByName
          : null;
  const when = row.state === "approved" || row.state === "denied" ? row.decidedAt : row.state === "executed" ? row.executedAt : row.endedAt;
  return new AppError("conflict", `This request cannot be ${attempted} now: it ${what[row.state]}. Reload it to see where it stands.`, {
    approvalId: row.id,
    state: row.state,
    by,
    at: when?.toISOString() ?? null,
    resetId: row.resetId,
    familyResetId: row.familyResetId,
  } satisfies ApprovalStateConflictDetails);
}

/** The 409 while someone carries the approved reset out: `then` says what that means for the step tried. */
export function executingConflict(row: ResetApproval & { executingSince: Date }, then: string): AppError {
  return new AppError("conflict", `${row.executingByName ?? "Someone"} is carrying out this reset right now${then}`, {
    approvalId: row.id,
    state: "executing",
    by: row.executingByName,
    at: row.executingSince.toISOString(),
    resetId: null,
    familyResetId: null,
  } satisfies ApprovalStateConflictDetails);
}
