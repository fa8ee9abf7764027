import { NextResponse } from "next/server";
import { z } from "zod";
import { describeFamilyReset } from "@/lib/scope-resets/describe-reset-options";
import { loadResetSubject } from "@/lib/scope-resets/load-reset-subject";
import { performFamilyReset } from "@/lib/scope-resets/perform-family-reset";
import { RESET_MODES } from "@/lib/scope-resets/plan";
import { apiRoute } from "@/lib/server/api";
import { getDb } from "@/lib/server/db";
import { accountIdParams, familyResetBody } from "@/lib/server/schemas";

/** The family reset's preview: the parent's plan and each subuser lacking the scopes, as it will be after the parent's reset. */
export const GET = apiRoute(
  {
    permission: "accounts:read",
    params: accountIdParams,
    query: z.object({ mode: z.enum(RESET_MODES, { error: `mode must be ${RESET_MODES.join(" or ")}.` }).default("default") }).strict(),
  },
  async ({ params, query }) => describeFamilyReset(await loadResetSubject(getDb(), params.id, { lock: false }), query.mode),
);

/** Resets a parent and the subusers the agent picked, each in its own transaction; 201 with one outcome per account. */
export const POST = apiRoute(
  { permission: "scopes:reset", params: accountIdParams, body: familyResetBody, maxBodyBytes: 64 * 1024 },
  async ({ params, body, staff, meta }) => {
    const summary = await performFamilyReset({ parentId: params.id, request: body, staff, meta });
    const anyNew = summary.results.some((r) => r.outcome === "succeeded");
    return NextResponse.json(summary, { status: anyNew ? 201 : 200 });
  },
);
