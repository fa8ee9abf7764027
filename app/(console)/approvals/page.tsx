import type { Metadata } from "next";
import { ApprovalQueue } from "@/components/approvals/approval-queue";
import { APPROVAL_FILTERS, listApprovals, type ApprovalFilter } from "@/lib/approvals/list-approvals";
import { can } from "@/lib/auth/permissions";
import { guardPage } from "@/lib/pages/guard";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const { staff } = await guardPage({ permission: "scopes:reset", path: "/approvals", searchParams: sp, keep: ["state"] });
  const asked = typeof sp.state === "string" ? sp.state : "open";
  const filter: ApprovalFilter = (APPROVAL_FILTERS as readonly string[]).includes(asked) ? (asked as ApprovalFilter) : "open";
  const initial = await listApprovals(staff, filter);
  const decides = can(staff.role, "approvals:decide");
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Approvals</h1>
        <p className="text-sm text-slate-700">
          {decides
            ? "Resets that need a second staff member's approval: waiting ones first, oldest first. You may not decide your own requests, nor those of tickets assigned to you."
            : "Your requests for approval of risky resets, and where each stands."}
        </p>
        {asked !== filter && (
          <p role="alert" className="mt-1 text-sm text-red-800">
            “{asked.slice(0, 40)}” is not a state; showing the open requests. States: {APPROVAL_FILTERS.join(", ")}.
          </p>
        )}
      </div>
      <ApprovalQueue initialData={initial} filters={APPROVAL_FILTERS} />
    </div>
  );
}
