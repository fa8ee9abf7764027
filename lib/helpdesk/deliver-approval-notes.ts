import "server-only";
import { getDb } from "@/lib/platform/db";
import { deliverHelpdeskComment, type DeliveryAttempt, type DeliveryOutcome } from "./deliver-helpdesk-comment";
import type { ZendeskClient } from "./zendesk-client";

/**
 * The job of one approval request: each step's note not yet in the ticket,
 * oldest first, each once (the same recipe as every comment, decision 027).
 * A deferral or a failure stops here, so the ticket reads in order; the job
 * (or the deferred one) goes on from the first note not yet delivered. A
 * dead note does not hold back the later ones: each says what it says on its
 * own ("approved by …" is true whether or not "requested by …" arrived).
 */
export async function deliverApprovalNotes(
  approvalId: string,
  client: ZendeskClient,
  attempt: DeliveryAttempt,
): Promise<DeliveryOutcome[]> {
  const rows = await getDb().helpdeskDelivery.findMany({
    where: { approvalId, status: { in: ["queued", "retrying"] } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  const outcomes: DeliveryOutcome[] = [];
  for (const row of rows) {
    const outcome = await deliverHelpdeskComment(row.id, client, attempt);
    outcomes.push(outcome);
    if (outcome === "deferred") break;
  }
  return outcomes;
}
