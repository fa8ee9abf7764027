import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AccountView } from "@/components/account-view";
import { isAppError } from "@/lib/errors";
import { getAccountDetail } from "@/lib/server/accounts";
import { accountIdParams } from "@/lib/server/schemas";
import { requirePageStaff } from "@/lib/server/session";

export const metadata: Metadata = { title: "Account" };

export default async function AccountPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageStaff("accounts:read", `/accounts/${encodeURIComponent(id)}`);
  const parsed = accountIdParams.safeParse({ id });
  if (!parsed.success) notFound();
  const detail = await getAccountDetail(parsed.data.id).catch((error: unknown) => {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  });
  return <AccountView initialData={detail} />;
}
