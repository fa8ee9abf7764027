import "server-only";
import { Prisma } from "@/lib/generated/prisma/client";
import { getDb } from "@/lib/platform/db";
import type { AuditViewer } from "./audit-where";
import { notesDeliveryState, type DeliveryStatus, type ResetDeliveryState } from "./delivery-state";
import { auditVisibility } from "./visibility";

/** How far the list may ask at once: one page. */
export const MAX_DELIVERY_STATE_IDS = 200;

/**
 * The helpdesk delivery state of each reset the viewer may see (an agent:
 * their own), for the audit list to show and to poll while anything is still
 * moving. Resets the viewer may not see are left out, as if they did not exist.
 */
export async function getDeliveryStates(viewer: AuditViewer, resetIds: readonly string[]): Promise<Record<string, ResetDeliveryState>> {
  if (resetIds.length === 0) return {};
  const visibility = auditVisibility(viewer);
  const own = visibility.scope === "own" ? Prisma.sql`AND r.actor_id = ${visibility.actorId}::uuid` : Prisma.empty;
  const rows = await getDb().$queryRaw<{ id: string; kind: string | null; status: DeliveryStatus | null }[]>`
    SELECT r.id, d.kind::text AS kind, d.status::text AS status
      FROM scope_reset r LEFT JOIN helpdesk_delivery d ON d.reset_id = r.id
     WHERE r.id = ANY(${[...resetIds]}::uuid[]) ${own}`;
  const grouped = new Map<string, { notes: DeliveryStatus[]; reply: DeliveryStatus | null }>();
  for (const row of rows) {
    const entry = grouped.get(row.id) ?? { notes: [], reply: null };
    if (row.kind === "customer_reply") entry.reply = row.status;
    else if (row.kind && row.status) entry.notes.push(row.status);
    grouped.set(row.id, entry);
  }
  return Object.fromEntries([...grouped].map(([id, e]) => [id, { notes: notesDeliveryState(e.notes), reply: e.reply }]));
}
