import type { Metadata } from "next";
import Link from "next/link";
import { AuditCharts } from "@/components/audit/audit-charts";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditTable } from "@/components/audit/audit-table";
import { FilterChips } from "@/components/audit/filter-chips";
import { VerifyChain } from "@/components/audit/verify-chain";
import { latestChainVerification } from "@/lib/audit/get-chain-verification";
import {
  auditFilterSchema,
  auditListQuerySchema,
  DEFAULT_PAGE_SIZE,
  FILTER_PARAMS,
  filterSearchParams,
  type AuditListQuery,
  type FilterParam,
} from "@/lib/audit/filters";
import { DocumentTitle } from "@/components/document-title";
import { getDb } from "@/lib/platform/db";
import { auditVisibility } from "@/lib/audit/visibility";
import { can } from "@/lib/auth/permissions";
import { isAppError } from "@/lib/platform/errors";
import { getAuditView, type AuditView } from "@/lib/audit/get-audit-view";
import { listAuditAgents } from "@/lib/audit/list-audit-agents";
import { guardPage } from "@/lib/pages/guard";

type SearchParams = Record<string, string | string[] | undefined>;

const RANGE_WORDS: Record<string, string> = { today: "today", "7d": "last 7 days", "30d": "last 30 days" };

/**
 * "Scope reset audit", and what it is filtered to: a bookmark or a tab says which view it is.
 * (generateMetadata rather than a static title: Next 16 drops a static title on a client-side
 * navigation to the same page with other search parameters, as the filter form makes.)
 */
export async function generateMetadata({ searchParams }: { searchParams: Promise<SearchParams> }): Promise<Metadata> {
  const parsed = auditFilterSchema().safeParse(await searchParams);
  if (!parsed.success) return { title: auditTitle({}, null) };
  const agentId = parsed.data.params.agent;
  const agent = agentId ? await getDb().staffUser.findUnique({ where: { id: agentId }, select: { name: true } }) : null;
  return { title: auditTitle(parsed.data.params, agent?.name ?? null) };
}

function auditTitle(p: Partial<Record<FilterParam, string>>, agentName: string | null): string {
  const parts = [
    p.range ? RANGE_WORDS[p.range] : null,
    p.from && p.to ? `${p.from} to ${p.to}` : p.from ? `from ${p.from}` : p.to ? `to ${p.to}` : null,
    agentName ? `by ${agentName}` : null,
    p.account ? `account ${p.account}` : null,
    p.ticket ? `ticket #${p.ticket}` : null,
    p.outcome ?? null,
  ].filter((x): x is string => x !== null);
  return parts.length ? `Scope reset audit: ${parts.join(", ")}` : "Scope reset audit";
}

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.slice(0, 200) ?? "";
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const { staff } = await guardPage({
    permission: "audit:read_own",
    path: "/audit",
    searchParams: sp,
    keep: [...FILTER_PARAMS, "cursor", "limit"],
  });
  const visibility = auditVisibility(staff);
  const values = {
    range: first(sp.range),
    from: first(sp.from),
    to: first(sp.to),
    agent: visibility.scope === "own" ? staff.id : first(sp.agent),
    account: first(sp.account),
    ticket: first(sp.ticket),
    outcome: first(sp.outcome),
  };

  const parsed = auditListQuerySchema().safeParse(sp);
  let errors: string[] = parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  const canVerify = can(staff.role, "audit:read_all");
  // The filter's agents, the view and the last chain verification in one round; a filter that cannot be used is shown, not thrown.
  const [agents, view, verification] = await Promise.all([
    listAuditAgents(staff, values.agent),
    parsed.success
      ? getAuditView(staff, parsed.data).catch((error: unknown) => {
          if (!isAppError(error) || error.status !== 400) throw error;
          errors = [error.message];
          return null;
        })
      : null,
    canVerify ? latestChainVerification() : null,
  ]);
  const data: AuditView | null = view;
  const content = parsed.success && data ? <Results query={parsed.data} data={data} canExport={can(staff.role, "audit:export")} /> : null;

  const title = auditTitle(parsed.success ? parsed.data.filter.params : {}, data?.labels.agent ?? null);
  return (
    <div className="space-y-5">
      <DocumentTitle title={`${title} · Scopedesk`} />
      <div>
        <h1 className="text-2xl font-semibold">Audit</h1>
        <p className="text-sm text-slate-700">
          {visibility.scope === "all"
            ? "Every scope reset attempt, succeeded and failed."
            : "Your own scope reset attempts, succeeded and failed."}{" "}
          Times are UTC.
        </p>
      </div>
      {canVerify && <VerifyChain initial={verification} />}
      <AuditFilters values={values} agents={agents} agentLocked={visibility.scope === "own"} />
      {parsed.success && data && <FilterChips filter={parsed.data.filter} labels={data.labels} agentLocked={visibility.scope === "own"} />}
      {errors.length > 0 && (
        <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900">
          <p className="font-semibold">These filters cannot be used:</p>
          <ul className="mt-1 list-disc pl-5">
            {errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </div>
      )}
      {content}
    </div>
  );
}

function Results({ query, data, canExport }: { query: AuditListQuery; data: AuditView; canExport: boolean }) {
  const { filter } = query;
  const { page, charts } = data;
  const exportHref = (format: string) => `/api/scope-resets/export?${filterSearchParams(filter, { format })}`;
  const limit = query.limit === DEFAULT_PAGE_SIZE ? undefined : String(query.limit);
  return (
    <>
      <AuditCharts charts={charts} />
      <section aria-labelledby="resets-heading" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="resets-heading" className="text-lg font-semibold">
            Reset attempts{" "}
            <span className="text-sm font-normal text-slate-700">
              ({page.items.length} on this page{query.cursor ? ", continued" : ""}; newest first)
            </span>
          </h2>
          {canExport && (
            <div className="flex gap-3 text-sm">
              <a className="rounded border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50" href={exportHref("csv")} download>
                Download CSV
              </a>
              <a className="rounded border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50" href={exportHref("jsonl")} download>
                Download JSON Lines
              </a>
            </div>
          )}
        </div>
        {page.items.length === 0 ? (
          <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">No reset attempts match these filters.</p>
        ) : (
          <AuditTable rows={page.items} />
        )}
        <nav aria-label="Pages" className="flex gap-4 text-sm">
          {query.cursor && (
            <Link className="text-blue-800 underline" href={`/audit?${filterSearchParams(filter, { limit })}`}>
              First page
            </Link>
          )}
          {page.nextCursor && (
            <Link className="text-blue-800 underline" href={`/audit?${filterSearchParams(filter, { cursor: page.nextCursor, limit })}`}>
              Next page
            </Link>
          )}
        </nav>
      </section>
    </>
  );
}
