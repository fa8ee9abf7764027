import type { Metadata } from "next";
import { TriageList } from "@/components/triage-list";
import { guardPage } from "@/lib/pages/guard";
import { listTriagedTickets } from "@/lib/triage/list-triaged-tickets";
import { triageListQuerySchema } from "@/lib/triage/triage-list-query";

export const metadata: Metadata = { title: "Triaged tickets" };

type SearchParams = Record<string, string | string[] | undefined>;

/** Tickets triaged on arrival (decision 031), by state, each linking to its ticket page. Every role may read it, as the ticket pages. */
export default async function TriagePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  await guardPage({ permission: "tickets:read", path: "/triage", searchParams: sp, keep: ["state", "cursor", "limit"] });
  const parsed = triageListQuerySchema.safeParse(sp);
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Triaged tickets</h1>
        <p className="text-sm text-slate-700">
          Every new ticket the Zendesk webhook sends is triaged on arrival: the requester&apos;s account, the verdict and what a reset would
          do go into the ticket as one internal note. Nothing is changed on any account.
        </p>
      </div>
      {parsed.success ? (
        <TriageList query={parsed.data} page={await listTriagedTickets(parsed.data)} />
      ) : (
        <p role="alert" className="text-red-800">
          {parsed.error.issues.map((i) => i.message).join(" ")}
        </p>
      )}
    </div>
  );
}
