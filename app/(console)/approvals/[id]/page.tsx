import type { Metadata } from "next";
import { cache } from "react";
import { ApprovalView } from "@/components/approvals/approval-view";
import { getApprovalView } from "@/lib/approvals/get-approval";
import { getStaff } from "@/lib/auth/get-staff";
import { can, type Role } from "@/lib/auth/permissions";
import { uuidParams } from "@/lib/http/schemas";
import { guardPage, orNotFound } from "@/lib/pages/guard";

type Params = { params: Promise<{ id: string }> };

/** One read per request for the title and the page. */
const approvalFor = cache((id: string, staffId: string, email: string, role: Role) => getApprovalView(id, { id: staffId, email, role }));

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { id } = await params;
  const staff = await getStaff();
  const parsed = uuidParams.safeParse({ id });
  if (!staff || !can(staff.role, "tickets:read") || !parsed.success) return { title: "Approval request" };
  const view = await approvalFor(parsed.data.id, staff.id, staff.email, staff.role).catch(() => null);
  if (!view) return { title: "Approval request" };
  return { title: `Approval: ${view.kind === "family" ? "family reset" : "reset"} of ${view.account.username} (#${view.account.id})` };
}

export default async function ApprovalPage({ params }: Params) {
  const { id } = await params;
  const { staff, params: parsed } = await guardPage({
    permission: "tickets:read",
    path: `/approvals/${encodeURIComponent(id)}`,
    params: { schema: uuidParams, values: { id } },
  });
  const view = await orNotFound(approvalFor(parsed.id, staff.id, staff.email, staff.role));
  return <ApprovalView initialData={view} />;
}
