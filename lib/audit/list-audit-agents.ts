import "server-only";
import { getDb } from "@/lib/platform/db";
import type { AuditViewer } from "./audit-where";
import { auditVisibility } from "./visibility";

/** Staff to offer in the agent filter: everyone for a lead, only themselves for an agent. */
export async function listAuditAgents(viewer: AuditViewer) {
  const visibility = auditVisibility(viewer);
  return getDb().staffUser.findMany({
    where: visibility.scope === "own" ? { id: visibility.actorId } : { role: { in: ["agent", "lead", "admin"] } },
    orderBy: [{ name: "asc" }, { id: "asc" }],
    select: { id: true, name: true, email: true, role: true },
  });
}
