import "server-only";
import type { Db, Tx } from "@/lib/platform/db";

/** What the console shows of a job: never the addresses, never the erased data. */
export interface EraseJobView {
  id: string;
  status: "queued" | "running" | "done" | "failed";
  /** Whose data the job erases. */
  target: { id: number; username: string };
  /** The account whose API key asked (the parent when it acted on behalf of a subuser). */
  requestedBy: { id: number; username: string };
  addressCount: number;
  recordsErased: number;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface EraseJobList {
  jobs: EraseJobView[];
  /** All jobs touching the account, of which `jobs` are the newest. */
  total: number;
}

/** Jobs that erase this account's data or that this account asked for, newest first. */
export async function listEraseJobs(db: Db | Tx, accountId: number, limit = 50): Promise<EraseJobList> {
  const rows = await db.$queryRaw<
    {
      id: string;
      status: EraseJobView["status"];
      account_id: number;
      account_username: string;
      target_id: number;
      target_username: string;
      address_count: number;
      records_erased: number;
      attempts: number;
      last_error: string | null;
      created_at: Date;
      started_at: Date | null;
      finished_at: Date | null;
      total: bigint;
    }[]
  >`
    SELECT j.id::text, j.status::text AS status, j.account_id, a.username AS account_username,
           t.id AS target_id, t.username AS target_username, j.address_count, j.records_erased, j.attempts,
           j.last_error, j.created_at, j.started_at, j.finished_at, count(*) OVER () AS total
    FROM erase_job j
    JOIN account a ON a.id = j.account_id
    JOIN account t ON t.id = coalesce(j.on_behalf_of_account_id, j.account_id)
    WHERE j.account_id = ${accountId} OR j.on_behalf_of_account_id = ${accountId}
    ORDER BY j.created_at DESC, j.id
    LIMIT ${limit}`;
  return {
    total: Number(rows[0]?.total ?? 0),
    jobs: rows.map((r) => ({
      id: r.id,
      status: r.status,
      target: { id: r.target_id, username: r.target_username },
      requestedBy: { id: r.account_id, username: r.account_username },
      addressCount: r.address_count,
      recordsErased: r.records_erased,
      attempts: r.attempts,
      lastError: r.last_error,
      createdAt: r.created_at.toISOString(),
      startedAt: r.started_at?.toISOString() ?? null,
      finishedAt: r.finished_at?.toISOString() ?? null,
    })),
  };
}
