import type { FiredRule } from "@/lib/approvals/policy";

/** Why a reset needs a second staff member's approval, rule by rule, in the confirmation dialogs. */
export function ApprovalNeeded({ rules }: { rules: readonly FiredRule[] }) {
  return (
    <div role="note" className="rounded border border-violet-300 bg-violet-50 p-3 text-sm" data-testid="approval-needed">
      <p className="font-semibold">This reset needs a second staff member&apos;s approval:</p>
      <ul className="mt-1 list-disc space-y-1 break-words pl-5">
        {rules.map((r) => (
          <li key={r.rule} data-rule={r.rule}>
            {r.message}
          </li>
        ))}
      </ul>
      <p className="mt-1">
        Request approval with your reason: a lead (never you, never the ticket&apos;s assignee) approves or denies it in the approvals
        queue, and the request&apos;s page shows the decision as it happens. Nothing changes on the account until it is carried out.
      </p>
    </div>
  );
}
