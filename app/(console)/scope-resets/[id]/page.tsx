import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ResetResult } from "@/components/reset-result";
import { isAppError } from "@/lib/errors";
import { getScopeResetView } from "@/lib/server/scope-reset-view";
import { uuidParams } from "@/lib/server/schemas";
import { requirePageStaff } from "@/lib/server/session";

export const metadata: Metadata = { title: "Scope reset" };

export default async function ScopeResetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requirePageStaff("tickets:read", `/scope-resets/${encodeURIComponent(id)}`);
  const parsed = uuidParams.safeParse({ id });
  if (!parsed.success) notFound();
  const reset = await getScopeResetView(parsed.data.id).catch((error: unknown) => {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  });
  return <ResetResult reset={reset} />;
}
