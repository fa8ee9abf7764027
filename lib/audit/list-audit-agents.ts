import "server-only";
import { getDb } from "@/lib/platform/db";
import type { AuditViewer } from "./audit-where";
import { auditVisibility } from "./visibility";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Staff to offer in the agent filter, by name: everyone who may reset for a
 * lead (and the one the filter names, whatever their role now), only
 * themselves for an agent.
 */
export async function listAuditAgents(viewer: AuditViewer, filtered?: string | null) {
  const visibility = auditVisibility(viewer);
  const also = filtered && UUID.test(filtered) ? [{ id: filtered.toLowerCase() }] : [];
  return getDb().staffUser.findMany({
    where: visibility.scope === "own" ? { id: visibility.actorId } : { OR: [{ role: { in: ["agent", "lead", "admin"] } }, ...also] },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    select: { id: true, name: true, email: true, role: true },
  });
}
