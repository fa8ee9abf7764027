import "server-only";
import type { Db } from "@/lib/platform/db";

/** GET /v3/recipients/erasejob/{job_id}'s answer: the job's state and counts, never its addresses. */
export interface EraseJobStatus {
  job_id: string;
  status: "queued" | "running" | "done" | "failed";
  /** Unique addresses the request named. */
  email_address_count: number;
  /** Message records whose personal data the job erased so far. */
  records_erased: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/**
 * One erase job, as the customer's API key may see it: a job the key's
 * account asked for, erasing the data of the account the request acts for
 * (its own, or with on-behalf-of the subuser's). Any other job, existing or
 * not, is null (the answer is 404 either way, so ids cannot be probed).
 */
export async function getEraseJobStatus(
  db: Db,
  input: { jobId: string; callerAccountId: number; actingAccountId: number },
): Promise<EraseJobStatus | null> {
  const [row] = await db.$queryRaw<
    {
      id: string;
      status: EraseJobStatus["status"];
      address_count: number;
      records_erased: number;
      created_at: Date;
      started_at: Date | null;
      finished_at: Date | null;
    }[]
  >`
    SELECT id::text, status::text AS status, address_count, records_erased, created_at, started_at, finished_at
    FROM erase_job
    WHERE id = ${input.jobId}::uuid
      AND account_id = ${input.callerAccountId}
      AND coalesce(on_behalf_of_account_id, account_id) = ${input.actingAccountId}`;
  if (!row) return null;
  return {
    job_id: row.id,
    status: row.status,
    email_address_count: row.address_count,
    records_erased: row.records_erased,
    created_at: row.created_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
  };
}
