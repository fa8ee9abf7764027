import { apiRoute } from "@/lib/server/api";
import { getAccountTimeline } from "@/lib/server/audit-query";
import { accountIdParams } from "@/lib/server/schemas";

/** Every reset attempt and note on one account, oldest first (agents: their own). */
export const GET = apiRoute({ permission: "audit:read_own", params: accountIdParams }, ({ staff, params }) => getAccountTimeline(staff, params.id));
