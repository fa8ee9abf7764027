import "server-only";
import { resolveAuditFilter, type AuditViewer } from "./audit-where";
import type { AuditFilter, Cursor } from "./filters";
import { getAuditCharts } from "./get-audit-charts";
import { listScopeResets } from "./list-scope-resets";

/**
 * What the /audit page shows for one filter: the page of resets and the
 * charts over the same set, with the filter resolved once (the agent checked,
 * the username turned into an account id) for both. A filter that cannot be
 * used (an unknown agent) fails here, before either query runs.
 */
export async function getAuditView(viewer: AuditViewer, query: { filter: AuditFilter; cursor: Cursor | null; limit: number }) {
  const resolved = await resolveAuditFilter(viewer, query.filter);
  const [page, charts] = await Promise.all([listScopeResets(viewer, query, resolved), getAuditCharts(viewer, query.filter, resolved)]);
  return { page, charts, labels: resolved.labels };
}

export type AuditView = Awaited<ReturnType<typeof getAuditView>>;
