-- Every word sent is true when sent, and sent once (issue 20; decisions 025 and 026).
--
-- helpdesk_delivery: what Scopedesk posts into a ticket.
--  * New comments go as escaped HTML (body_format 'html') with their marker in the update's custom
--    metadata, so the marker is no longer inside the text; rows queued before keep their marker in the body.
--  * A reply may belong to no reset ("nothing to reset: create a new key"): then it names its account.
--  * A family reset posts one note pair and one reply for all its accounts (family_reset_id).
--  * A reply records what reached the ticket (sent_body), the texts of earlier sends that went dead
--    (superseded_bodies), the ticket status to set with it, whose Zendesk user authors it, and the
--    facts it was drafted from. Rate limits defer a delivery without using up its tries (deferrals).

CREATE TYPE "helpdesk_body_format" AS ENUM ('markdown', 'html');

ALTER TABLE "helpdesk_delivery"
    ALTER COLUMN "reset_id" DROP NOT NULL,
    ADD COLUMN "account_id" INTEGER,
    ADD COLUMN "family_reset_id" UUID,
    ADD COLUMN "body_format" "helpdesk_body_format" NOT NULL DEFAULT 'markdown',
    ADD COLUMN "sent_body" TEXT,
    ADD COLUMN "superseded_bodies" TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN "landed_earlier_text" BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN "ticket_status" TEXT,
    ADD COLUMN "author_email" TEXT,
    ADD COLUMN "author_zendesk_id" BIGINT,
    ADD COLUMN "deferrals" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "facts_fingerprint" TEXT,
    DROP CONSTRAINT "helpdesk_delivery_marker_in_body",
    ADD CONSTRAINT "helpdesk_delivery_marker_in_body" CHECK ("body_format" = 'html' OR strpos("body", "marker") > 0),
    ADD CONSTRAINT "helpdesk_delivery_owner" CHECK ("reset_id" IS NOT NULL OR ("kind" = 'customer_reply' AND "account_id" IS NOT NULL)),
    ADD CONSTRAINT "helpdesk_delivery_ticket_status" CHECK ("ticket_status" IS NULL OR "ticket_status" IN ('pending', 'solved')),
    ADD CONSTRAINT "helpdesk_delivery_reply_only_fields" CHECK (
        "kind" = 'customer_reply' OR ("ticket_status" IS NULL AND "author_email" IS NULL AND cardinality("superseded_bodies") = 0)
    );

ALTER TABLE "helpdesk_delivery" ADD CONSTRAINT "helpdesk_delivery_account_id_fkey"
    FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- One "create a new key" reply per ticket and account (a dead one is sent again in the same row).
CREATE UNIQUE INDEX "helpdesk_delivery_account_reply_key" ON "helpdesk_delivery"("ticket_id", "account_id")
    WHERE "reset_id" IS NULL AND "kind" = 'customer_reply';
CREATE INDEX "helpdesk_delivery_family_reset_id_idx" ON "helpdesk_delivery"("family_reset_id") WHERE "family_reset_id" IS NOT NULL;
CREATE INDEX "helpdesk_delivery_account_id_idx" ON "helpdesk_delivery"("account_id") WHERE "account_id" IS NOT NULL;

-- A family reset's one note pair is recorded once for the family, on its first reset account's reset row.
ALTER TABLE "ticket_note" ADD COLUMN "family_reset_id" UUID;
CREATE INDEX "ticket_note_family_reset_id_idx" ON "ticket_note"("family_reset_id") WHERE "family_reset_id" IS NOT NULL;
