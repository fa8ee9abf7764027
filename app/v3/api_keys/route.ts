import { z } from "zod";
import { v3Errors } from "@/lib/erasure/errors";
import { getDb } from "@/lib/server/db";
import { createApiKey, createApiKeyRequestSchema, listApiKeys, MAX_KEYS_PER_ACCOUNT } from "@/lib/server/v3/api-keys";
import { v3Route } from "@/lib/server/v3/route";

// POST /v3/api_keys: 201 with the new key's secret, shown this once.
export const POST = v3Route({ scopes: ["api_keys.create"], body: createApiKeyRequestSchema }, async ({ acting, body }) => ({
  status: 201,
  body: await createApiKey(getDb(), acting.id, body),
}));

const limitSchema = z.coerce.number().int().min(1).max(MAX_KEYS_PER_ACCOUNT).default(MAX_KEYS_PER_ACCOUNT);

// GET /v3/api_keys?limit=: names and ids, never secrets.
export const GET = v3Route({ scopes: ["api_keys.read"] }, async ({ acting, request }) => {
  const limit = limitSchema.safeParse(request.nextUrl.searchParams.get("limit") ?? undefined);
  if (!limit.success) throw v3Errors.badRequest(`limit must be a whole number from 1 to ${MAX_KEYS_PER_ACCOUNT}`, "limit");
  return { status: 200, body: await listApiKeys(getDb(), acting.id, limit.data) };
});
