import { auditListQuerySchema } from "@/lib/audit/filters";
import { apiRoute } from "@/lib/server/api";
import { listScopeResets } from "@/lib/server/audit-query";

/** The audit list: filtered reset attempts, newest first, keyset pages. Agents see only their own. */
export const GET = apiRoute({ permission: "audit:read_own", query: () => auditListQuerySchema() }, ({ staff, query }) =>
  listScopeResets(staff, query),
);
