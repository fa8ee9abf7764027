-- The erasure request writes only its erase_job row again; the worker sends the pg-boss jobs of
-- queued rows in batches and stamps dispatched_at in the same transaction
-- (lib/erasure/dispatch-erase-jobs.ts, docs/decisions/019-erase-jobs-dispatched-in-batches.md).
-- The relay finds undispatched rows through erase_job_open_idx (queued or running), so no index is
-- added: the request's insert maintains nothing more than before.
ALTER TABLE "erase_job" ADD COLUMN "dispatched_at" TIMESTAMPTZ(3);

-- Finished jobs need no job. Open ones stay undispatched so the relay sends them: one that already
-- has a pg-boss job then has two, which is harmless (running an erase job twice erases nothing more).
UPDATE "erase_job" SET "dispatched_at" = "created_at" WHERE "status" IN ('done', 'failed');
