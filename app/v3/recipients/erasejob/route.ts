import { MAX_PAYLOAD_BYTES } from "@/lib/erasure/addresses";
import { eraseJobRequestSchema } from "@/lib/erasure/request";
import { getDb } from "@/lib/server/db";
import { enqueueEraseJob } from "@/lib/server/erasure/jobs";
import { v3Route } from "@/lib/server/v3/route";

// POST /v3/recipients/erasejob (seed contract: EraseRecipientEmailData).
export const POST = v3Route(
  { scopes: ["recipients.erasejob.create"], body: eraseJobRequestSchema, maxBodyBytes: MAX_PAYLOAD_BYTES },
  async ({ caller, acting, body }) => {
    const jobId = await enqueueEraseJob(getDb(), {
      accountId: caller.accountId,
      onBehalfOfAccountId: acting.onBehalfOf?.id ?? null,
      apiKeyId: caller.keyId,
      addresses: body.emailAddresses,
    });
    return { status: 202, body: { job_id: jobId } };
  },
);
