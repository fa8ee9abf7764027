import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/server/api";
import { performScopeReset } from "@/lib/server/scope-reset";
import { getScopeResetView } from "@/lib/server/scope-reset-view";
import { accountIdParams, scopeResetBody } from "@/lib/server/schemas";

/** Reset Scopes. 201 with the new reset; 200 with the first result when the idempotency key is replayed. */
export const POST = apiRoute(
  { permission: "scopes:reset", params: accountIdParams, body: scopeResetBody, maxBodyBytes: 16 * 1024 },
  async ({ params, body, staff, meta }) => {
    const outcome = await performScopeReset({ accountId: params.id, request: body, staff, meta });
    const reset = await getScopeResetView(outcome.resetId);
    return NextResponse.json({ replayed: outcome.replayed, reset }, { status: outcome.replayed ? 200 : 201 });
  },
);
