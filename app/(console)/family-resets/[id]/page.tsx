import type { Metadata } from "next";
import { FamilyResetSummary } from "@/components/family-reset-summary";
import { getFamilyReset } from "@/lib/scope-resets/get-family-reset";
import { uuidParams } from "@/lib/http/schemas";
import { can } from "@/lib/auth/permissions";
import { guardPage, orNotFound } from "@/lib/pages/guard";
import { familyResetTitle } from "@/lib/pages/titles";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: await familyResetTitle((await params).id) };
}

export default async function FamilyResetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { staff, params: parsed } = await guardPage({
    permission: "tickets:read",
    path: `/family-resets/${encodeURIComponent(id)}`,
    params: { schema: uuidParams, values: { id } },
  });
  const family = await orNotFound(getFamilyReset(parsed.id, staff));
  return <FamilyResetSummary family={family} canAct={can(staff.role, "scopes:reset")} />;
}
