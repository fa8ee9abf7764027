import { getFamilyReset } from "@/lib/scope-resets/get-family-reset";
import { apiRoute } from "@/lib/server/api";
import { uuidParams } from "@/lib/server/schemas";

/** One family reset's summary: each account's attempt under it, with its outcome. */
export const GET = apiRoute({ permission: "tickets:read", params: uuidParams }, ({ params }) => getFamilyReset(params.id));
