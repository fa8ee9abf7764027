import { apiRoute } from "@/lib/server/api";
import { getScopeResetView } from "@/lib/server/scope-reset-view";
import { uuidParams } from "@/lib/server/schemas";

/** One reset as its result page shows it: part of the ticket's record, so readable by whoever may read tickets. */
export const GET = apiRoute({ permission: "tickets:read", params: uuidParams }, ({ params }) => getScopeResetView(params.id));
