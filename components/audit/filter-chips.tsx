import { FILTER_PARAMS, filterSearchParams, type AuditFilter, type FilterParam } from "@/lib/audit/filters";

const RANGE_TEXT: Record<string, string> = { today: "Today", "7d": "Last 7 days", "30d": "Last 30 days" };

/**
 * The filters in force, in words and names (never a staff member's UUID),
 * each a link that removes it. The URL keeps the ids; this is what a lead reads.
 */
export function FilterChips({
  filter,
  labels,
  agentLocked,
}: {
  filter: Pick<AuditFilter, "params">;
  labels: { agent: string | null; account: string | null };
  agentLocked: boolean;
}) {
  const text: Partial<Record<FilterParam, string>> = {
    range: filter.params.range ? RANGE_TEXT[filter.params.range] : undefined,
    from: filter.params.from ? `From ${filter.params.from}` : undefined,
    to: filter.params.to ? `To ${filter.params.to}` : undefined,
    agent: filter.params.agent && !agentLocked ? `Agent: ${labels.agent ?? "unknown staff member"}` : undefined,
    account: filter.params.account ? `Account: ${labels.account ?? filter.params.account}` : undefined,
    ticket: filter.params.ticket ? `Ticket #${filter.params.ticket}` : undefined,
    outcome: filter.params.outcome ? `Outcome: ${filter.params.outcome}` : undefined,
  };
  const active = FILTER_PARAMS.filter((p) => text[p] !== undefined);
  if (active.length === 0) return null;
  return (
    <nav aria-label="Filters in force" className="flex flex-wrap items-center gap-2 text-sm">
      <span className="text-slate-700">Showing:</span>
      <ul className="flex flex-wrap gap-2">
        {active.map((p) => {
          const rest = filterSearchParams({ params: { ...filter.params, [p]: undefined } }).toString();
          return (
            <li key={p}>
              {/* A plain link, a full load: a client-side navigation from a chip froze the tab while a delivery state was being polled (decision 038). */}
              <a
                href={rest ? `/audit?${rest}` : "/audit"}
                className="inline-flex items-center gap-1 rounded-full border border-slate-300 bg-white px-2.5 py-0.5 hover:bg-slate-50"
                data-testid="filter-chip"
                data-param={p}
              >
                {text[p]}
                <span aria-hidden="true">×</span>
                <span className="sr-only">(remove this filter)</span>
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
