import "server-only";
import { z } from "zod";
import { MAX_PAYLOAD_BYTES } from "@/lib/erasure/addresses";
import { v3Errors } from "@/lib/erasure/errors";
import { eraseJobRequestSchema } from "@/lib/erasure/request";
import { getDb } from "../db";
import { enqueueEraseJob } from "../erasure/jobs";
import { createApiKey, createApiKeyRequestSchema, listApiKeys, MAX_KEYS_PER_ACCOUNT } from "./api-keys";
import { v3Endpoint, type V3Routes } from "./route";

const limitSchema = z.coerce.number().int().min(1).max(MAX_KEYS_PER_ACCOUNT).default(MAX_KEYS_PER_ACCOUNT);

/** Every /v3 endpoint Scopedesk serves (seed contract: tsg_recipients_data_erasure_v3.yaml, plus scopes and keys). */
export const v3Routes: V3Routes = {
  // EraseRecipientEmailData: 202 with the queued job's id.
  "/v3/recipients/erasejob": {
    POST: v3Endpoint(
      { scopes: ["recipients.erasejob.create"], body: eraseJobRequestSchema, maxBodyBytes: MAX_PAYLOAD_BYTES },
      async ({ caller, acting, body }) => {
        const jobId = await enqueueEraseJob({
          accountId: caller.accountId,
          onBehalfOfAccountId: acting.onBehalfOf?.id ?? null,
          apiKeyId: caller.keyId,
          addresses: body.emailAddresses,
        });
        return { status: 202, body: { job_id: jobId } };
      },
    ),
  },
  // The calling key's effective scopes (any valid key may ask).
  "/v3/scopes": {
    GET: v3Endpoint({}, async ({ acting }) => ({ status: 200, body: { scopes: acting.scopes } })),
  },
  "/v3/api_keys": {
    // 201 with the new key's secret, shown this once.
    POST: v3Endpoint({ scopes: ["api_keys.create"], body: createApiKeyRequestSchema }, async ({ acting, body }) => ({
      status: 201,
      body: await createApiKey(getDb(), acting, body),
    })),
    // Names and ids, never secrets.
    GET: v3Endpoint({ scopes: ["api_keys.read"] }, async ({ acting, query }) => {
      const limit = limitSchema.safeParse(query.get("limit") ?? undefined);
      if (!limit.success) throw v3Errors.badRequest(`limit must be a whole number from 1 to ${MAX_KEYS_PER_ACCOUNT}`, "limit");
      return { status: 200, body: await listApiKeys(getDb(), acting.id, limit.data) };
    }),
  },
};
