/**
 * Who sees which resets in the audit workspace. Leads and admins
 * (`audit:read_all`) see every attempt; agents (`audit:read_own`) only their
 * own, enforced on the server in every query (list, detail, timeline, charts,
 * export); viewers nothing.
 */
import { can, type Role } from "@/lib/auth/permissions";
import { AppError } from "@/lib/platform/errors";

export type AuditVisibility = { scope: "all" } | { scope: "own"; actorId: string };

export function auditVisibility(staff: { id: string; role: Role }): AuditVisibility {
  if (can(staff.role, "audit:read_all")) return { scope: "all" };
  if (can(staff.role, "audit:read_own")) return { scope: "own", actorId: staff.id };
  throw new AppError("forbidden", `Your role (${staff.role}) does not allow reading the audit log.`);
}
