-- Decision 042: the triage note is a helpdesk delivery like the reset notes (one delivery mechanism), and a
-- delivery is worked under a lease on its row instead of an advisory lock held in a transaction across the
-- Zendesk requests (no pool connection held across the network).
ALTER TYPE "helpdesk_delivery_kind" ADD VALUE 'triage_note';

ALTER TABLE "helpdesk_delivery"
    ADD COLUMN "lease_until" TIMESTAMPTZ(3),
    ADD COLUMN "lease_token" UUID,
    DROP CONSTRAINT "helpdesk_delivery_owner",
    -- (The new kind cannot be named as an enum value in the transaction that adds it: compared as text.)
    ADD CONSTRAINT "helpdesk_delivery_owner" CHECK (
        "reset_id" IS NOT NULL
        OR ("kind" = 'customer_reply' AND "account_id" IS NOT NULL)
        OR ("approval_id" IS NOT NULL AND "kind"::text LIKE 'approval\_%')
        OR ("kind"::text = 'triage_note' AND "account_id" IS NULL AND "approval_id" IS NULL)
    ),
    ADD CONSTRAINT "helpdesk_delivery_lease_consistent" CHECK (("lease_until" IS NULL) = ("lease_token" IS NULL));
