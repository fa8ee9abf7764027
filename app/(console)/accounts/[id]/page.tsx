import type { Metadata } from "next";
import { AccountView } from "@/components/account-view";
import { can } from "@/lib/auth/permissions";
import { guardPage, orNotFound } from "@/lib/pages/guard";
import { getAccountDetail } from "@/lib/accounts/get-account-detail";
import { accountIdParams } from "@/lib/http/schemas";
import { accountTitle } from "@/lib/pages/titles";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: await accountTitle((await params).id) };
}

export default async function AccountPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const { staff, params: parsed } = await guardPage({
    permission: "accounts:read",
    path: `/accounts/${encodeURIComponent(id)}`,
    searchParams: await searchParams,
    params: { schema: accountIdParams, values: { id } },
  });
  const detail = await orNotFound(getAccountDetail(parsed.id));
  return <AccountView initialData={detail} canReset={can(staff.role, "scopes:reset")} role={staff.role} />;
}
