import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/server/api";
import { performScopeReset } from "@/lib/scope-resets/perform-scope-reset";
import { getScopeResetSummary } from "@/lib/server/scope-reset-view";
import { accountIdParams, scopeResetBody } from "@/lib/server/schemas";

/** Reset Scopes. 201 with the new reset's summary; 200 with the first one when the idempotency key is replayed. */
export const POST = apiRoute(
  { permission: "scopes:reset", params: accountIdParams, body: scopeResetBody, maxBodyBytes: 16 * 1024 },
  async ({ params, body, staff, meta }) => {
    const outcome = await performScopeReset({ accountId: params.id, request: body, staff, meta });
    const reset = await getScopeResetSummary(outcome.resetId);
    return NextResponse.json({ replayed: outcome.replayed, reset }, { status: outcome.replayed ? 200 : 201 });
  },
);
