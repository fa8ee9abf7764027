import { apiRoute } from "@/lib/server/api";
import { getAuditResetDetail } from "@/lib/server/audit-query";
import { uuidParams } from "@/lib/server/schemas";

/** One reset as the audit workspace shows it (scope sets, grouped diff, notes, request metadata, audit events). */
export const GET = apiRoute({ permission: "audit:read_own", params: uuidParams }, ({ staff, params }) => getAuditResetDetail(staff, params.id));
