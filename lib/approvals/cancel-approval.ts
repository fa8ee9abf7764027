import "server-only";
import type { RequestMeta } from "@/lib/audit/append-audit-event";
import type { StaffSession } from "@/lib/auth/get-staff";
import { getDb } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import { endApproval, lockApproval } from "./approval-record";
import { executingConflict, stateConflict } from "./state-conflict";

/**
 * The requester withdraws a request that is waiting for a decision, or
 * approved and not being carried out: under its row lock, so a cancellation
 * racing a decision or an execution either wins or is told who was first.
 * An audit event and a note in the ticket say so.
 */
export async function cancelApproval(input: {
  approvalId: string;
  comment: string | null;
  staff: StaffSession;
  meta: RequestMeta;
}): Promise<{ state: "cancelled" }> {
  const { approvalId, staff, meta } = input;
  return getDb().$transaction(async (tx) => {
    const row = await lockApproval(tx, approvalId);
    if (row.requestedById !== staff.id)
      throw new AppError("forbidden", `Only ${row.requestedByName}, who asked for it, may cancel this request.`);
    if (row.state !== "pending" && row.state !== "approved") throw stateConflict(row, "cancelled");
    if (row.executingSince) {
      throw executingConflict({ ...row, executingSince: row.executingSince }, "; it can no longer be cancelled.");
    }
    await endApproval(tx, row, "cancelled", {
      actor: { id: staff.id, name: staff.name, email: staff.email },
      meta,
      comment: input.comment,
    });
    return { state: "cancelled" as const };
  });
}
