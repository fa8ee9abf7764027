import "server-only";
import { randomUUID } from "node:crypto";
import { getBoss } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
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
 * Records the job (its addresses live in erase_job, emptied once done, never
 * in the queue's own tables, which keep finished jobs for a week) and sends
 * its pg-boss job in the same transaction, on one raw `pg` connection: on the
 * hot path of the erasure request, Prisma's query layer copies the address
 * text several times per request (decision 007); pg sends it once.
 */
export async function enqueueEraseJob(job: NewEraseJob): Promise<string> {
  if (job.addresses.some((a) => a.includes("\n"))) throw new Error("an erase-job address contains a newline");
  const id = randomUUID();
  const boss = await getBoss();
  const client = await getPgPool().connect();
  try {
    await client.query("BEGIN");
    await client.query({
      name: "enqueue-erase-job",
      text: `INSERT INTO erase_job (id, account_id, on_behalf_of_account_id, api_key_id, addresses, address_count)
             VALUES ($1::uuid, $2, $3, $4, $5, $6)`,
      values: [id, job.accountId, job.onBehalfOfAccountId, job.apiKeyId, job.addresses.join("\n"), job.addresses.length],
    });
    await boss.send(QUEUES.eraseRecipients, { eraseJobId: id }, { db: { executeSql: (text, values) => client.query(text, values) } });
    await client.query("COMMIT");
    return id;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
