import type { Metadata } from "next";
import { ResetResult } from "@/components/reset-result";
import { getScopeResetView } from "@/lib/scope-resets/get-scope-reset";
import { uuidParams } from "@/lib/http/schemas";
import { can } from "@/lib/auth/permissions";
import { guardPage, orNotFound } from "@/lib/pages/guard";
import { resetTitle } from "@/lib/pages/titles";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: await resetTitle((await params).id) };
}

export default async function ScopeResetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { staff, params: parsed } = await guardPage({
    permission: "tickets:read",
    path: `/scope-resets/${encodeURIComponent(id)}`,
    params: { schema: uuidParams, values: { id } },
  });
  const reset = await orNotFound(getScopeResetView(parsed.id, staff));
  return <ResetResult reset={reset} canAct={can(staff.role, "scopes:reset")} />;
}
