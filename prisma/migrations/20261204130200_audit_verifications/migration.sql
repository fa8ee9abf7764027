-- "Verify chain" in the audit workspace (decision 036): a lead asks, the worker
-- walks the whole chain and writes its progress and result here, the page
-- polls it. Operational state, not evidence: the request and the result are
-- also audit events. The app role reads and writes it (default privileges).
CREATE TYPE "audit_verification_status" AS ENUM ('queued', 'running', 'done', 'failed');

CREATE TABLE "audit_verification" (
    "id" UUID NOT NULL,
    "status" "audit_verification_status" NOT NULL DEFAULT 'queued',
    "requested_by_id" UUID,
    "requested_by_name" TEXT NOT NULL,
    "total_events" BIGINT NOT NULL DEFAULT 0,
    "checked_events" BIGINT NOT NULL DEFAULT 0,
    "result" JSONB,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_verification_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "audit_verification_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "staff_user"("id") ON DELETE SET NULL
);
CREATE INDEX "audit_verification_created_at_idx" ON "audit_verification"("created_at");

-- A reset's own event (scope_reset.succeeded or .failed names the reset in
-- details.resetId): the JSON Lines export ties each exported reset to it.
CREATE INDEX "audit_event_reset_id_idx" ON "audit_event" (("details" ->> 'resetId'))
    WHERE "action" IN ('scope_reset.succeeded', 'scope_reset.failed');
