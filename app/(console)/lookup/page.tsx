import type { Metadata } from "next";
import { LookupResults } from "@/components/lookup-results";
import { parseLookupQuery } from "@/lib/accounts/lookup-query";
import { textProblem } from "@/lib/platform/text";
import { searchAccounts, type SearchPage } from "@/lib/accounts/search-accounts";
import { guardPage } from "@/lib/pages/guard";

export async function generateMetadata({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}): Promise<Metadata> {
  const q = (await searchParams).q;
  const text = typeof q === "string" ? q.trim().slice(0, 60) : "";
  // The search text only when it is plain text (a NUL or a control character is the page guard's to refuse).
  return { title: text && !/[\u0000-\u001f\u007f]/.test(text) ? `Lookup: ${text}` : "Lookup" };
}

export default async function LookupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const q = typeof sp.q === "string" ? sp.q : "";
  await guardPage({ permission: "accounts:read", path: "/lookup", searchParams: sp });
  // The API refuses such text in its pipeline; here it is shown as the page's error, never searched (Postgres refuses NUL).
  const problem = q ? textProblem(q) : null;
  const parsed = q && !problem ? parseLookupQuery(q) : null;
  let initial: SearchPage | null = null;
  if (parsed?.ok) initial = await searchAccounts(parsed, { limit: 20 });
  const error = problem ? `The search text ${problem}.` : parsed && !parsed.ok ? parsed.error : null;

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Find an account</h1>
      <LookupResults initialQuery={q} initialPage={initial} initialError={error} />
    </div>
  );
}
