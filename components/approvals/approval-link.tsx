import Link from "next/link";
import type { ApprovalOfReset } from "@/lib/approvals/find-approval-of-reset";

/** On a reset's result page: it was carried out after a second staff member's approval, and where that request is. */
export function ApprovalLink({ approval }: { approval: ApprovalOfReset }) {
  if (!approval) return null;
  return (
    <p className="rounded border border-violet-300 bg-violet-50 p-3 text-sm" data-testid="approval-link">
      Four eyes: asked by {approval.requestedBy}, approved by {approval.approvedBy ?? "a lead"} before it was carried out.{" "}
      <Link href={`/approvals/${approval.id}`} className="font-medium text-blue-800 underline">
        Open the approval request
      </Link>
    </p>
  );
}
