import { z } from "zod";
import { enqueueEraseJob } from "@/lib/erasure/enqueue-erase-job";
import { MAX_PAYLOAD_BYTES } from "@/lib/erasure/addresses";
import { v3Errors } from "@/lib/erasure/errors";
import { getEraseJobStatus } from "@/lib/erasure/get-erase-job";
import { eraseJobRequestSchema } from "@/lib/erasure/request";
import { getDb } from "@/lib/platform/db";
import { createApiKey, createApiKeyRequestSchema, MAX_KEYS_PER_ACCOUNT } from "@/lib/api-keys/create-api-key";
import { listApiKeys } from "@/lib/api-keys/list-api-keys";
import { v3Endpoint, type V3Endpoint } from "./endpoint";

const limitSchema = z.coerce.number().int().min(1).max(MAX_KEYS_PER_ACCOUNT).default(MAX_KEYS_PER_ACCOUNT);

/** A job id is the UUID POST /v3/recipients/erasejob answered with. */
const jobIdParams = z.object({
  job_id: z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
    error: "job_id must be the job_id POST /v3/recipients/erasejob answered with (a UUID)",
  }),
});

function refuseQuery(query: Record<string, string>, allowed: readonly string[] = []): void {
  const unknown = Object.keys(query).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw v3Errors.badRequest(`Unknown parameter ${unknown[0]!.slice(0, 40)}`, unknown[0]!.slice(0, 40));
}

/** Every /v3 endpoint Scopedesk serves (seed contract tsg_recipients_data_erasure_v3.yaml, plus scopes and keys). */
export const V3_ENDPOINTS: readonly V3Endpoint[] = [
  // EraseRecipientEmailData: 202 with the queued job's id.
  v3Endpoint(
    {
      method: "POST",
      path: "/recipients/erasejob",
      scopes: ["recipients.erasejob.create"],
      body: eraseJobRequestSchema,
      maxBodyBytes: MAX_PAYLOAD_BYTES,
    },
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
  // The state of a job the key's account asked for, for the account it acts for (on-behalf-of: that subuser's); never the addresses.
  v3Endpoint(
    { method: "GET", path: "/recipients/erasejob/:job_id", scopes: ["recipients.erasejob.read"], params: jobIdParams },
    async ({ caller, acting, params, query }) => {
      refuseQuery(query);
      const job = await getEraseJobStatus(getDb(), {
        jobId: params.job_id.toLowerCase(),
        callerAccountId: caller.accountId,
        actingAccountId: acting.id,
      });
      if (!job) throw v3Errors.notFound("No erase job with this job_id for this account", "job_id");
      return { status: 200, body: job };
    },
  ),
  // The calling key's effective scopes (any valid key may ask).
  v3Endpoint({ method: "GET", path: "/scopes" }, async ({ acting }) => ({ status: 200, body: { scopes: acting.scopes } })),
  // 201 with the new key's secret, shown this once.
  v3Endpoint(
    { method: "POST", path: "/api_keys", scopes: ["api_keys.create"], body: createApiKeyRequestSchema },
    async ({ acting, body }) => ({
      status: 201,
      body: await createApiKey(getDb(), acting, body),
    }),
  ),
  // Names and ids, never secrets.
  v3Endpoint({ method: "GET", path: "/api_keys", scopes: ["api_keys.read"] }, async ({ acting, query }) => {
    refuseQuery(query, ["limit"]);
    const limit = limitSchema.safeParse(query.limit);
    if (!limit.success) throw v3Errors.badRequest(`limit must be a whole number from 1 to ${MAX_KEYS_PER_ACCOUNT}`, "limit");
    return { status: 200, body: await listApiKeys(getDb(), acting.id, limit.data) };
  }),
];
