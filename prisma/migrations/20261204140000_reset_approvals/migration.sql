-- Four eyes for risky resets (issue 22; docs/decisions/040-four-eyes-for-risky-resets.md).
--
-- reset_approval: a reset (or family reset) that needed a second staff member's approval. It keeps the
-- confirmation as the agent gave it (mode, preview fingerprint, acknowledged key impact), the plan the
-- approver read, and the facts the plan depends on (scope-set ids of the account, its parent, every key
-- and subuser) with their fingerprint: if those facts change before the reset is carried out, the
-- approval is void. One live request (pending or approved) per account.

CREATE TYPE "approval_state" AS ENUM ('pending', 'approved', 'denied', 'cancelled', 'expired', 'voided', 'executed');
CREATE TYPE "approval_kind" AS ENUM ('reset', 'family');

CREATE TABLE "reset_approval" (
    "id" UUID NOT NULL,
    "kind" "approval_kind" NOT NULL,
    -- The account reset (a family's parent).
    "account_id" INTEGER NOT NULL,
    "ticket_id" TEXT NOT NULL,
    "ticket_url" TEXT NOT NULL,
    "state" "approval_state" NOT NULL DEFAULT 'pending',
    "requested_by_id" UUID,
    "requested_by_name" TEXT NOT NULL,
    "requested_by_email" TEXT NOT NULL,
    -- The requesting dialog's key: the same request sent twice is one request.
    "idempotency_key" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    -- The rules that fired: [{rule, message}].
    "rules" JSONB NOT NULL,
    -- The confirmation as given: {expectedFingerprint, mode, acknowledgedKeyImpact} or a family's {parent, subusers}.
    "confirmation" JSONB NOT NULL,
    -- What the approver reads: the plan(s) with their key impact.
    "plan" JSONB NOT NULL,
    -- The facts the plan depends on, by scope-set id (lib/approvals/facts.ts), and their SHA-256.
    "facts" JSONB NOT NULL,
    "facts_fingerprint" TEXT NOT NULL,
    -- SHA-256 of the confirmation and the facts' fingerprint: what an approval is bound to.
    "plan_hash" TEXT NOT NULL,
    -- The ticket's assignee as the helpdesk said when the request was made: {state, name?, email?, staffId?, reason?}.
    "assignee" JSONB NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_by_id" UUID,
    "decided_by_name" TEXT,
    "decided_by_email" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "decision_comment" TEXT,
    -- Claimed by an execution in progress (its reset's own transaction decides the rest); a stale claim may be taken over.
    "executing_since" TIMESTAMPTZ(3),
    "executing_by_name" TEXT,
    "executed_at" TIMESTAMPTZ(3),
    "executed_by_id" UUID,
    "executed_by_name" TEXT,
    "reset_id" UUID,
    "family_reset_id" UUID,
    -- Why the last execution failed (the request stays approved and may be executed again).
    "last_error" TEXT,
    -- Cancelled, expired or void: when and by whom (null: Scopedesk itself).
    "ended_at" TIMESTAMPTZ(3),
    "ended_by_name" TEXT,
    -- A void request: what changed since it was requested ([{subject, text}]).
    "changes" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "reset_approval_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "reset_approval_reason_given" CHECK (length(btrim("reason")) > 0),
    CONSTRAINT "reset_approval_decided" CHECK (
        ("state" IN ('pending', 'cancelled', 'expired', 'voided') OR ("decided_at" IS NOT NULL AND "decided_by_name" IS NOT NULL))
        AND ("state" <> 'denied' OR length(btrim(coalesce("decision_comment", ''))) > 0)
    ),
    CONSTRAINT "reset_approval_executed" CHECK (
        ("state" = 'executed') = ("executed_at" IS NOT NULL) AND ("state" <> 'executed' OR "reset_id" IS NOT NULL OR "family_reset_id" IS NOT NULL)
    ),
    CONSTRAINT "reset_approval_ended" CHECK (("state" IN ('cancelled', 'expired', 'voided')) = ("ended_at" IS NOT NULL))
);
ALTER TABLE "reset_approval" ADD CONSTRAINT "reset_approval_account_id_fkey"
    FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "reset_approval" ADD CONSTRAINT "reset_approval_requested_by_id_fkey"
    FOREIGN KEY ("requested_by_id") REFERENCES "staff_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "reset_approval" ADD CONSTRAINT "reset_approval_reset_id_fkey"
    FOREIGN KEY ("reset_id") REFERENCES "scope_reset"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE UNIQUE INDEX "reset_approval_requested_by_id_idempotency_key_key" ON "reset_approval"("requested_by_id", "idempotency_key");
-- One live request per account: a second one would be approved against the same facts twice.
CREATE UNIQUE INDEX "reset_approval_live_account_key" ON "reset_approval"("account_id") WHERE "state" IN ('pending', 'approved');
CREATE INDEX "reset_approval_state_created_at_idx" ON "reset_approval"("state", "created_at");
CREATE INDEX "reset_approval_account_id_created_at_idx" ON "reset_approval"("account_id", "created_at");
CREATE INDEX "reset_approval_ticket_id_idx" ON "reset_approval"("ticket_id");
CREATE INDEX "reset_approval_reset_id_idx" ON "reset_approval"("reset_id") WHERE "reset_id" IS NOT NULL;
CREATE INDEX "reset_approval_family_reset_id_idx" ON "reset_approval"("family_reset_id") WHERE "family_reset_id" IS NOT NULL;

-- Each step of a request leaves an internal note in the ticket, delivered like the reset's notes.
ALTER TYPE "helpdesk_delivery_kind" ADD VALUE 'approval_requested';
ALTER TYPE "helpdesk_delivery_kind" ADD VALUE 'approval_approved';
ALTER TYPE "helpdesk_delivery_kind" ADD VALUE 'approval_denied';
ALTER TYPE "helpdesk_delivery_kind" ADD VALUE 'approval_cancelled';
ALTER TYPE "helpdesk_delivery_kind" ADD VALUE 'approval_expired';
ALTER TYPE "helpdesk_delivery_kind" ADD VALUE 'approval_voided';

ALTER TABLE "helpdesk_delivery"
    ADD COLUMN "approval_id" UUID,
    DROP CONSTRAINT "helpdesk_delivery_owner",
    -- (The new kinds cannot be named as enum values in the transaction that adds them: compared as text.)
    ADD CONSTRAINT "helpdesk_delivery_owner" CHECK (
        "reset_id" IS NOT NULL
        OR ("kind" = 'customer_reply' AND "account_id" IS NOT NULL)
        OR ("approval_id" IS NOT NULL AND "kind"::text LIKE 'approval\_%')
    );
ALTER TABLE "helpdesk_delivery" ADD CONSTRAINT "helpdesk_delivery_approval_id_fkey"
    FOREIGN KEY ("approval_id") REFERENCES "reset_approval"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- Each step's note once per request.
CREATE UNIQUE INDEX "helpdesk_delivery_approval_id_kind_key" ON "helpdesk_delivery"("approval_id", "kind") WHERE "approval_id" IS NOT NULL;
