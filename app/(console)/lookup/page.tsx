import type { Metadata } from "next";
import { LookupResults } from "@/components/lookup-results";
import { parseLookupQuery } from "@/lib/accounts/lookup-query";
import { searchAccounts, type SearchPage } from "@/lib/accounts/search-accounts";
import { guardPage } from "@/lib/pages/guard";

export const metadata: Metadata = { title: "Lookup" };

export default async function LookupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const q = typeof sp.q === "string" ? sp.q : "";
  await guardPage({ permission: "accounts:read", path: "/lookup", searchParams: sp });
  const parsed = q ? parseLookupQuery(q) : null;
  let initial: SearchPage | null = null;
  if (parsed?.ok) initial = await searchAccounts(parsed, { limit: 20 });

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Find an account</h1>
      <LookupResults initialQuery={q} initialPage={initial} initialError={parsed && !parsed.ok ? parsed.error : null} />
    </div>
  );
}
