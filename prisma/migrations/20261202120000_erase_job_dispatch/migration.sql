-- The erasure request writes only its erase_job row again; the worker sends the pg-boss jobs of
-- open rows not yet dispatched, in batches, and stamps dispatched_at in the same transaction
-- (lib/erasure/dispatch-erase-jobs.ts, docs/decisions/019-erase-jobs-dispatched-in-batches.md).

-- Wait at most 10 s for the table's lock rather than queue every erase_job writer behind a long
-- transaction; the migration then fails and is run again.
SET LOCAL lock_timeout = '10s';

-- Nullable, no default: a change of the catalog only, no rewrite of the (large, TOASTed) table.
ALTER TABLE "erase_job" ADD COLUMN "dispatched_at" TIMESTAMPTZ(3);

-- What the relay looks for, and only that: rows leave this index when stamped, so the relay's read
-- stays small however many dispatched jobs are waiting to be worked. Finished rows are never looked
-- at (the relay reads open rows only), so they are not stamped: no rewrite of the finished rows.
-- Its predicate is the relay's own condition, so the relay reads it alone, in created_at order.
CREATE INDEX "erase_job_undispatched_idx" ON "erase_job" ("created_at")
  WHERE "dispatched_at" IS NULL AND "status" IN ('queued', 'running');

-- Open rows sent to pg-boss by the code before this change (boss.send in the request) already have a
-- job under another id: stamp them, so the relay does not give them a second one.
DO $$
BEGIN
  IF to_regclass('pgboss.job') IS NOT NULL THEN
    UPDATE "erase_job" e SET "dispatched_at" = e."created_at"
    WHERE e."status" IN ('queued', 'running')
      AND EXISTS (
        SELECT 1 FROM pgboss.job j
        WHERE j.name = 'erasure.erase-recipients' AND j.data->>'eraseJobId' = e.id::text AND j.state < 'completed'
      );
  END IF;
END $$;
