import type { ApiError } from "@/lib/client/api-fetch";
import type { ApprovalStepErrors } from "@/lib/http/console/approvals";

/** Why a step (approve, deny, execute, cancel) was refused, in words, with what changed when the approval is void. */
export function StepError({ error }: { error: ApiError<ApprovalStepErrors> }) {
  const voided = error.detailsFor("approval_voided");
  return (
    <div role="alert" className="rounded border border-red-300 bg-red-50 p-3 text-sm text-red-900">
      <p>{error.message}</p>
      {voided && voided.changes.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {voided.changes.map((c) => (
            <li key={c.text}>{c.text}</li>
          ))}
        </ul>
      )}
      {error.requestId && <p className="text-xs">Request id: {error.requestId}</p>}
    </div>
  );
}
