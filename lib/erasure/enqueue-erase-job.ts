import "server-only";
import { randomUUID } from "node:crypto";
import { getPgPool } from "@/lib/platform/pg-pool";

/** Recipients' Data Erasure jobs: queued by POST /v3/recipients/erasejob, carried out by `npm run worker` (run-erase-job.ts). */
export interface NewEraseJob {
  /** The account whose API key asked. */
  accountId: number;
  /** The subuser it acted for (on-behalf-of), whose data is the one erased. */
  onBehalfOfAccountId: number | null;
  apiKeyId: string | null;
  /**
   * Unique, normalized, valid addresses (./addresses.ts; no newline can be in
   * one), stored one per line: binding and storing a 5,000-element array
   * costs several times more, in the app and in Postgres.
   */
  addresses: readonly string[];
}

/**
 * Records the job: one insert, on one raw `pg` connection, and nothing else.
 * Its pg-boss job is sent by the worker (./dispatch-erase-jobs.ts), which
 * finds the row because it is queued and not yet dispatched: the row is the
 * outbox, so the job exists exactly when the request's insert commits. On
 * the hot path of the erasure request, Prisma's query layer copies the
 * address text several times per request (decision 007), and pg-boss's own
 * insert costs more than the row itself (decision 019); pg sends it once.
 * The addresses live in erase_job (emptied once done), never in the queue's
 * tables, which keep finished jobs for a week.
 */
export async function enqueueEraseJob(job: NewEraseJob): Promise<string> {
  if (job.addresses.some((a) => a.includes("\n"))) throw new Error("an erase-job address contains a newline");
  const id = randomUUID();
  await getPgPool().query({
    name: "enqueue-erase-job",
    text: `INSERT INTO erase_job (id, account_id, on_behalf_of_account_id, api_key_id, addresses, address_count)
           VALUES ($1::uuid, $2, $3, $4, $5, $6)`,
    values: [id, job.accountId, job.onBehalfOfAccountId, job.apiKeyId, job.addresses.join("\n"), job.addresses.length],
  });
  return id;
}
