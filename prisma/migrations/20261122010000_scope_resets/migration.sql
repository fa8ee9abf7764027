-- Reset Scopes: the reset record, the two ticket notes and the admin note.

CREATE TYPE "reset_outcome" AS ENUM ('succeeded', 'failed');
CREATE TYPE "ticket_note_kind" AS ENUM ('scopes_before', 'scopes_after');

CREATE TABLE "scope_reset" (
    "id" UUID NOT NULL,
    "account_id" INTEGER NOT NULL,
    "outcome" "reset_outcome" NOT NULL,
    "actor_id" UUID,
    "actor_name" TEXT NOT NULL,
    "actor_email" TEXT NOT NULL,
    "ticket_id" TEXT NOT NULL,
    "ticket_url" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "reason" TEXT,
    "before_scope_set_id" INTEGER,
    "after_scope_set_id" INTEGER,
    "before_count" INTEGER,
    "after_count" INTEGER,
    "added" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "removed" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "catalog_version" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "client_ip" TEXT,
    "user_agent" TEXT,
    "duration_ms" INTEGER NOT NULL,
    "failure_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scope_reset_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "scope_reset_outcome_consistent" CHECK (
        ("outcome" = 'succeeded' AND "verified" AND "after_scope_set_id" IS NOT NULL AND "failure_reason" IS NULL)
        OR ("outcome" = 'failed' AND NOT "verified" AND "failure_reason" IS NOT NULL)
    ),
    CONSTRAINT "scope_reset_reason_length" CHECK (char_length("reason") <= 2000)
);
-- One successful reset per idempotency key; failed attempts may repeat a key.
CREATE UNIQUE INDEX "scope_reset_idempotency_key_succeeded_key" ON "scope_reset"("idempotency_key") WHERE "outcome" = 'succeeded';
CREATE INDEX "scope_reset_idempotency_key_idx" ON "scope_reset"("idempotency_key");
CREATE INDEX "scope_reset_account_id_created_at_idx" ON "scope_reset"("account_id", "created_at");
CREATE INDEX "scope_reset_ticket_id_created_at_idx" ON "scope_reset"("ticket_id", "created_at");
CREATE INDEX "scope_reset_created_at_id_idx" ON "scope_reset"("created_at", "id");
CREATE INDEX "scope_reset_actor_id_created_at_id_idx" ON "scope_reset"("actor_id", "created_at", "id");
CREATE INDEX "scope_reset_outcome_created_at_id_idx" ON "scope_reset"("outcome", "created_at", "id");

ALTER TABLE "scope_reset" ADD CONSTRAINT "scope_reset_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "scope_reset" ADD CONSTRAINT "scope_reset_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "staff_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "scope_reset" ADD CONSTRAINT "scope_reset_before_scope_set_id_fkey" FOREIGN KEY ("before_scope_set_id") REFERENCES "scope_set"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "scope_reset" ADD CONSTRAINT "scope_reset_after_scope_set_id_fkey" FOREIGN KEY ("after_scope_set_id") REFERENCES "scope_set"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "ticket_note" (
    "id" UUID NOT NULL,
    "ticket_id" TEXT NOT NULL,
    "ticket_url" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "reset_id" UUID NOT NULL,
    "kind" "ticket_note_kind" NOT NULL,
    "body" TEXT NOT NULL,
    "author_id" UUID,
    "author_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ticket_note_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ticket_note_ticket_id_created_at_idx" ON "ticket_note"("ticket_id", "created_at");
CREATE INDEX "ticket_note_account_id_created_at_idx" ON "ticket_note"("account_id", "created_at");
CREATE UNIQUE INDEX "ticket_note_reset_id_kind_key" ON "ticket_note"("reset_id", "kind");
ALTER TABLE "ticket_note" ADD CONSTRAINT "ticket_note_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
-- The reset row is written last in the transaction, so the check waits for commit.
ALTER TABLE "ticket_note" ADD CONSTRAINT "ticket_note_reset_id_fkey" FOREIGN KEY ("reset_id") REFERENCES "scope_reset"("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "ticket_note" ADD CONSTRAINT "ticket_note_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "staff_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "admin_note" (
    "id" UUID NOT NULL,
    "account_id" INTEGER NOT NULL,
    "ticket_id" TEXT,
    "ticket_url" TEXT,
    "reset_id" UUID,
    "body" TEXT NOT NULL,
    "author_id" UUID,
    "author_name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "admin_note_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "admin_note_account_id_created_at_idx" ON "admin_note"("account_id", "created_at");
CREATE INDEX "admin_note_ticket_id_created_at_idx" ON "admin_note"("ticket_id", "created_at");
CREATE UNIQUE INDEX "admin_note_reset_id_key" ON "admin_note"("reset_id");
ALTER TABLE "admin_note" ADD CONSTRAINT "admin_note_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "admin_note" ADD CONSTRAINT "admin_note_reset_id_fkey" FOREIGN KEY ("reset_id") REFERENCES "scope_reset"("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "admin_note" ADD CONSTRAINT "admin_note_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "staff_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
