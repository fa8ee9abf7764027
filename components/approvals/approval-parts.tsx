import type { FiredRule } from "@/lib/approvals/policy";

type State = "pending" | "approved" | "denied" | "cancelled" | "expired" | "voided" | "executed";

const BADGE: Record<State, { text: string; tone: string }> = {
  pending: { text: "waiting for approval", tone: "bg-amber-100 text-amber-900" },
  approved: { text: "approved", tone: "bg-emerald-100 text-emerald-900" },
  executed: { text: "carried out", tone: "bg-emerald-100 text-emerald-900" },
  denied: { text: "denied", tone: "bg-red-100 text-red-900" },
  cancelled: { text: "cancelled", tone: "bg-slate-200 text-slate-900" },
  expired: { text: "expired", tone: "bg-slate-200 text-slate-900" },
  voided: { text: "void: the account changed", tone: "bg-red-100 text-red-900" },
};

/** Still waiting for a decision or for its execution. */
export function isLive(state: State): boolean {
  return state === "pending" || state === "approved";
}

export function ApprovalStateBadge({ state, executing = false }: { state: State; executing?: boolean }) {
  const badge = executing && state === "approved" ? { text: "being carried out", tone: "bg-blue-100 text-blue-900" } : BADGE[state];
  return (
    <span className={`inline-block rounded px-2 py-0.5 align-middle text-sm font-medium ${badge.tone}`} data-testid="approval-badge">
      {badge.text}
    </span>
  );
}

/** The rules that made a reset need approval, each in words. */
export function RulesList({ rules }: { rules: readonly FiredRule[] }) {
  return (
    <ul className="mt-1 list-disc space-y-1 break-words pl-5" data-testid="approval-rules">
      {rules.map((r) => (
        <li key={r.rule} data-rule={r.rule}>
          {r.message}
        </li>
      ))}
    </ul>
  );
}
