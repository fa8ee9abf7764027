-- What Scopedesk posts into the helpdesk ticket (docs/decisions/016-notes-delivered-into-the-ticket.md):
-- a reset's two internal notes, written in the reset's own transaction together
-- with the job that delivers them (outbox), and the customer reply an agent
-- sends. Each row is one comment to post, with its delivery state.

CREATE TYPE "helpdesk_delivery_kind" AS ENUM ('scopes_before', 'scopes_after', 'customer_reply');
CREATE TYPE "helpdesk_delivery_status" AS ENUM ('queued', 'retrying', 'delivered', 'dead');

CREATE TABLE "helpdesk_delivery" (
    "id" UUID NOT NULL,
    "reset_id" UUID NOT NULL,
    "ticket_id" TEXT NOT NULL,
    "kind" "helpdesk_delivery_kind" NOT NULL,
    -- Exactly what is posted: the note (or the agent's edited reply) and its marker line.
    "body" TEXT NOT NULL,
    "public" BOOLEAN NOT NULL,
    -- Unique text inside the body: after an ambiguous failure the ticket's comments are searched for it.
    "marker" TEXT NOT NULL,
    "status" "helpdesk_delivery_status" NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    -- Set just before a comment is posted and cleared once the answer is recorded: a worker that
    -- died in between leaves it set, so the next attempt searches the ticket before posting again.
    "in_flight_since" TIMESTAMPTZ(3),
    -- Retry-After: no attempt before this instant.
    "not_before" TIMESTAMPTZ(3),
    "zendesk_comment_id" BIGINT,
    "delivered_at" TIMESTAMPTZ(3),
    "requested_by_id" UUID,
    "requested_by_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "helpdesk_delivery_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "helpdesk_delivery_delivered_consistent" CHECK (("status" = 'delivered') = ("delivered_at" IS NOT NULL AND "zendesk_comment_id" IS NOT NULL)),
    CONSTRAINT "helpdesk_delivery_marker_in_body" CHECK (strpos("body", "marker") > 0)
);
CREATE UNIQUE INDEX "helpdesk_delivery_reset_id_kind_key" ON "helpdesk_delivery"("reset_id", "kind");
CREATE UNIQUE INDEX "helpdesk_delivery_marker_key" ON "helpdesk_delivery"("marker");
CREATE INDEX "helpdesk_delivery_ticket_id_created_at_idx" ON "helpdesk_delivery"("ticket_id", "created_at");
CREATE INDEX "helpdesk_delivery_status_idx" ON "helpdesk_delivery"("status") WHERE "status" <> 'delivered';
ALTER TABLE "helpdesk_delivery" ADD CONSTRAINT "helpdesk_delivery_reset_id_fkey" FOREIGN KEY ("reset_id") REFERENCES "scope_reset"("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "helpdesk_delivery" ADD CONSTRAINT "helpdesk_delivery_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "staff_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Whether the ticket was read from the helpdesk when the reset was confirmed: true (it exists), false
-- (the helpdesk did not answer; the reset went ahead unverified), null (no helpdesk connected).
ALTER TABLE "scope_reset" ADD COLUMN "ticket_verified" BOOLEAN;
