-- Scopedesk inside Zendesk (issue 21): the ticket-sidebar app's sessions, the replay guard of the
-- app's signed loads and of the triage webhook, and what triage found for each ticket on arrival
-- (docs/decisions/030-zendesk-sidebar-app.md, 031-triage-on-arrival.md).

-- A sidebar session is a staff session like a sign-in (decision 013): revoked by sign-out of that
-- session only, and by `npm run staff -- disable | revoke-sessions` with every other one.
ALTER TABLE "staff_session" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'console';
ALTER TABLE "staff_session" ADD CONSTRAINT "staff_session_kind_check" CHECK ("kind" IN ('console', 'zendesk_sidebar'));
-- The Zendesk agent whose signed load opened a sidebar session (null for console sign-ins).
ALTER TABLE "staff_session" ADD COLUMN "zendesk_user_id" BIGINT;

-- Each signed thing accepted once, across every server process: the app's JWT (by its SHA-256) and
-- the webhook's signature. Kept until the thing could no longer be accepted anyway, then pruned.
CREATE TABLE "replay_guard" (
    "kind" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "replay_guard_pkey" PRIMARY KEY ("kind", "digest"),
    CONSTRAINT "replay_guard_kind_check" CHECK ("kind" IN ('zendesk_app_token', 'zendesk_webhook')),
    CONSTRAINT "replay_guard_digest_check" CHECK ("digest" ~ '^[0-9a-f]{64}$')
);
CREATE INDEX "replay_guard_expires_at_idx" ON "replay_guard"("expires_at");

CREATE TYPE "ticket_triage_state" AS ENUM ('pending', 'needs_reset', 'nothing_to_do', 'no_account', 'anomaly', 'ticket_not_found');
CREATE TYPE "ticket_triage_note_status" AS ENUM ('pending', 'delivered', 'dead', 'not_posted');

-- One row per ticket, written with its job in the webhook's transaction (outbox): a second
-- webhook for the same ticket only counts itself, so a ticket is triaged, and noted, once.
CREATE TABLE "ticket_triage" (
    "ticket_id" TEXT NOT NULL,
    "ticket_url" TEXT NOT NULL,
    "state" "ticket_triage_state" NOT NULL DEFAULT 'pending',
    "subject" TEXT,
    "requester_email" TEXT,
    -- The account the note is about (the requester's; a parent before its subusers), and how many matched.
    "account_id" INTEGER,
    "account_username" TEXT,
    "matched_accounts" INTEGER NOT NULL DEFAULT 0,
    -- One line for the list: the verdict's headline, or why there is none.
    "summary" TEXT,
    -- Exactly what is (or was) posted, with its marker; recomputed before each post so it is true when sent.
    "note_body" TEXT,
    "note_marker" TEXT NOT NULL,
    "note_status" "ticket_triage_note_status" NOT NULL DEFAULT 'pending',
    "note_attempts" INTEGER NOT NULL DEFAULT 0,
    -- Set just before the note is posted and cleared once the answer is recorded (the recipe of decision 016).
    "note_in_flight_since" TIMESTAMPTZ(3),
    -- One worker at a time: a lease claimed by an UPDATE and given back when the try ends (no connection held meanwhile).
    "note_lease_until" TIMESTAMPTZ(3),
    "zendesk_comment_id" BIGINT,
    "note_delivered_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "webhooks_received" INTEGER NOT NULL DEFAULT 1,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "triaged_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ticket_triage_pkey" PRIMARY KEY ("ticket_id"),
    CONSTRAINT "ticket_triage_ticket_id_check" CHECK ("ticket_id" ~ '^[1-9][0-9]{0,14}$'),
    CONSTRAINT "ticket_triage_delivered_consistent" CHECK (("note_status" = 'delivered') = ("note_delivered_at" IS NOT NULL AND "zendesk_comment_id" IS NOT NULL)),
    CONSTRAINT "ticket_triage_marker_in_body" CHECK ("note_body" IS NULL OR strpos("note_body", "note_marker") > 0)
);
CREATE UNIQUE INDEX "ticket_triage_note_marker_key" ON "ticket_triage"("note_marker");
-- The console's list: newest first, all or by state (keyset pages on received_at, ticket_id).
CREATE INDEX "ticket_triage_received_at_idx" ON "ticket_triage"("received_at" DESC, "ticket_id" DESC);
CREATE INDEX "ticket_triage_state_received_at_idx" ON "ticket_triage"("state", "received_at" DESC, "ticket_id" DESC);
ALTER TABLE "ticket_triage" ADD CONSTRAINT "ticket_triage_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE SET NULL ON UPDATE CASCADE;
