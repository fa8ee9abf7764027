-- Resets that never hurt the customer (docs/decisions/010-resets-never-hurt-the-customer.md):
-- which kind of reset it was, what preview it was confirmed against, what it
-- meant for the account's keys and subusers (as confirmed, so notes and the
-- customer reply can be rendered again exactly), and which family reset it
-- belonged to.

CREATE TYPE "reset_mode" AS ENUM ('default', 'minimal');

ALTER TABLE "scope_reset"
    ADD COLUMN "mode" "reset_mode" NOT NULL DEFAULT 'default',
    -- The preview the agent confirmed: the account's scope-set fingerprint, combined with the parent's for a subuser.
    ADD COLUMN "preview_fingerprint" TEXT,
    -- Keys losing scopes (acknowledged), keys still lacking the erase-job scopes, subusers still lacking them, anomaly, parent.
    ADD COLUMN "impact" JSONB,
    ADD COLUMN "family_reset_id" UUID;

CREATE INDEX "scope_reset_family_reset_id_idx" ON "scope_reset"("family_reset_id") WHERE "family_reset_id" IS NOT NULL;
