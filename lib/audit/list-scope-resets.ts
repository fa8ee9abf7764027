import "server-only";
import { getDb } from "@/lib/platform/db";
import { ticketPath } from "@/lib/tickets/ticket-ref";
import { buildResetWhere, resolveAuditFilter, type AuditViewer, type ResolvedFilter } from "./audit-where";
import type { ResetDeliveryState } from "./delivery-state";
import { encodeCursor, type AuditFilter, type Cursor } from "./filters";
import { getDeliveryStates } from "./get-delivery-states";

export interface AuditResetRow {
  id: string;
  createdAt: string;
  outcome: "succeeded" | "failed";
  actor: { id: string | null; name: string; email: string };
  account: { id: number; username: string };
  ticket: { ticketId: string; url: string; path: string };
  addedCount: number;
  removedCount: number;
  failureReason: string | null;
  /** The notes' (and the reply's) delivery into the helpdesk. */
  delivery: ResetDeliveryState;
}

interface ListRow {
  id: string;
  created_at: Date;
  outcome: "succeeded" | "failed";
  actor_id: string | null;
  actor_name: string;
  actor_email: string;
  account_id: number;
  username: string;
  ticket_id: string;
  ticket_url: string;
  added_count: number;
  removed_count: number;
  failure_reason: string | null;
}

export interface AuditResetPage {
  items: AuditResetRow[];
  /** Opaque; pass as `cursor` with the same filter for the next page. Null on the last page. */
  nextCursor: string | null;
}

/** One page, newest first, keyset on (created_at, id): rows inserted meanwhile never shift later pages. */
export async function listScopeResets(
  viewer: AuditViewer,
  query: { filter: AuditFilter; cursor: Cursor | null; limit: number },
  /** The filter already resolved for this viewer (./get-audit-view.ts), so a page with charts resolves it once. */
  resolvedFilter?: ResolvedFilter,
): Promise<AuditResetPage> {
  const resolved = resolvedFilter ?? (await resolveAuditFilter(viewer, query.filter));
  const where = buildResetWhere(resolved, query.cursor);
  const rows = await getDb().$queryRaw<ListRow[]>`
    SELECT r.id, r.created_at, r.outcome::text AS outcome, r.actor_id, r.actor_name, r.actor_email,
           r.account_id, a.username, r.ticket_id, r.ticket_url,
           cardinality(r.added) AS added_count, cardinality(r.removed) AS removed_count, r.failure_reason
      FROM scope_reset r JOIN account a ON a.id = r.account_id
     WHERE ${where}
     ORDER BY r.created_at DESC, r.id DESC
     LIMIT ${query.limit + 1}::int`;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const delivery = await getDeliveryStates(
    viewer,
    page.map((r) => r.id),
  );
  return {
    items: page.map((r) => toResetRow(r, delivery[r.id] ?? { notes: "none", reply: null })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(query.filter, { createdAt: last.created_at, id: last.id }) : null,
  };
}

function toResetRow(r: ListRow, delivery: ResetDeliveryState): AuditResetRow {
  return {
    id: r.id,
    createdAt: r.created_at.toISOString(),
    outcome: r.outcome,
    actor: { id: r.actor_id, name: r.actor_name, email: r.actor_email },
    account: { id: r.account_id, username: r.username },
    ticket: { ticketId: r.ticket_id, url: r.ticket_url, path: ticketPath(r.ticket_id) },
    addedCount: Number(r.added_count),
    removedCount: Number(r.removed_count),
    failureReason: r.failure_reason,
    delivery,
  };
}
