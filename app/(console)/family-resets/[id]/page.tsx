import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { FamilyResetSummary } from "@/components/family-reset-summary";
import { isAppError } from "@/lib/errors";
import { getFamilyReset } from "@/lib/scope-resets/get-family-reset";
import { uuidParams } from "@/lib/server/schemas";
import { requirePageStaff } from "@/lib/server/session";

export const metadata: Metadata = { title: "Family reset" };

export default async function FamilyResetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageStaff("tickets:read", `/family-resets/${encodeURIComponent(id)}`);
  const parsed = uuidParams.safeParse({ id });
  if (!parsed.success) notFound();
  const family = await getFamilyReset(parsed.data.id).catch((error: unknown) => {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  });
  return <FamilyResetSummary family={family} />;
}
