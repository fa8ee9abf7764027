import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AccountView } from "@/components/account-view";
import { isAppError } from "@/lib/errors";
import { getAccountDetail } from "@/lib/server/accounts";
import { accountIdParams } from "@/lib/server/schemas";
import { can } from "@/lib/auth/permissions";
import { pagePath, requirePageStaff } from "@/lib/server/session";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const staff = await requirePageStaff("accounts:read", pagePath(`/accounts/${encodeURIComponent(id)}`, await searchParams));
  const parsed = accountIdParams.safeParse({ id });
  if (!parsed.success) notFound();
  const detail = await getAccountDetail(parsed.data.id).catch((error: unknown) => {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  });
  return <AccountView initialData={detail} canReset={can(staff.role, "scopes:reset")} role={staff.role} />;
}
