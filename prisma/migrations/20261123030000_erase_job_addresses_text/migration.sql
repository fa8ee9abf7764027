-- An erase job's addresses as one newline-separated text instead of TEXT[]
-- (decision 007): Postgres stores a 5,000-address job about a third cheaper
-- (measured with pgbench: 770 against 520 inserts a second with 20 clients),
-- and the request path no longer builds an array of 5,000 elements. No valid
-- address contains a newline (lib/erasure/addresses.ts). The worker splits it
-- with string_to_array when it matches recipients; a done job's text is empty.
ALTER TABLE "erase_job" DROP CONSTRAINT "erase_job_done_consistent";
ALTER TABLE "erase_job" ALTER COLUMN "addresses" TYPE TEXT USING array_to_string("addresses", chr(10));
ALTER TABLE "erase_job" ALTER COLUMN "addresses" SET COMPRESSION lz4;
ALTER TABLE "erase_job" ADD CONSTRAINT "erase_job_done_consistent"
    CHECK ("status" <> 'done' OR ("finished_at" IS NOT NULL AND "addresses" = ''));
