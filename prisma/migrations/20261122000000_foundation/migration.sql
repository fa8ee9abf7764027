-- Foundation: scope sets, accounts, API keys, staff, append-only audit log.

CREATE TYPE "region" AS ENUM ('global', 'eu');
CREATE TYPE "staff_role" AS ENUM ('viewer', 'agent', 'lead', 'admin');

CREATE TABLE "scope_set" (
    "id" SERIAL NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "scopes" TEXT[] NOT NULL,
    "has_erase_job" BOOLEAN NOT NULL GENERATED ALWAYS AS (
        "scopes" @> ARRAY['recipients.erasejob.create', 'recipients.erasejob.read']::TEXT[]
    ) STORED,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scope_set_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "scope_set_fingerprint_hex" CHECK ("fingerprint" ~ '^[0-9a-f]{64}$')
);
CREATE UNIQUE INDEX "scope_set_fingerprint_key" ON "scope_set"("fingerprint");
CREATE INDEX "scope_set_has_erase_job_idx" ON "scope_set"("has_erase_job");

CREATE TABLE "account" (
    "id" INTEGER NOT NULL,
    "username" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "company" TEXT,
    "region" "region" NOT NULL DEFAULT 'global',
    "signed_up_at" TIMESTAMPTZ(3) NOT NULL,
    "parent_id" INTEGER,
    "scope_set_id" INTEGER NOT NULL,
    "scopes_updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "account_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "account_id_positive" CHECK ("id" > 0),
    CONSTRAINT "account_not_own_parent" CHECK ("parent_id" IS NULL OR "parent_id" <> "id")
);
-- Lookup: exact and prefix match on username, exact match on e-mail, all
-- case-insensitive. text_pattern_ops serves both = and LIKE 'prefix%'.
CREATE UNIQUE INDEX "account_username_lower_key" ON "account" (lower("username") text_pattern_ops);
CREATE INDEX "account_email_lower_idx" ON "account" (lower("email"));
CREATE INDEX "account_parent_id_idx" ON "account"("parent_id");
CREATE INDEX "account_scope_set_id_idx" ON "account"("scope_set_id");
CREATE INDEX "account_signed_up_at_idx" ON "account"("signed_up_at");

ALTER TABLE "account" ADD CONSTRAINT "account_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "account" ADD CONSTRAINT "account_scope_set_id_fkey" FOREIGN KEY ("scope_set_id") REFERENCES "scope_set"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "api_key" (
    "id" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "scope_set_id" INTEGER NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "api_key_secret_hash_hex" CHECK ("secret_hash" ~ '^[0-9a-f]{64}$')
);
CREATE INDEX "api_key_account_id_created_at_idx" ON "api_key"("account_id", "created_at");
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_scope_set_id_fkey" FOREIGN KEY ("scope_set_id") REFERENCES "scope_set"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "staff_user" (
    "id" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "staff_role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_sign_in_at" TIMESTAMPTZ(3),
    CONSTRAINT "staff_user_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "staff_user_subject_key" ON "staff_user"("subject");
CREATE INDEX "staff_user_email_idx" ON "staff_user"("email");

CREATE TABLE "audit_event" (
    "seq" BIGINT NOT NULL,
    "id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" UUID,
    "actor_name" TEXT,
    "actor_email" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "ticket_id" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',
    "ip" TEXT,
    "user_agent" TEXT,
    "request_id" TEXT,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("seq")
);
CREATE UNIQUE INDEX "audit_event_id_key" ON "audit_event"("id");
CREATE INDEX "audit_event_occurred_at_idx" ON "audit_event"("occurred_at");
CREATE INDEX "audit_event_action_occurred_at_idx" ON "audit_event"("action", "occurred_at");
CREATE INDEX "audit_event_target_type_target_id_idx" ON "audit_event"("target_type", "target_id");

CREATE TABLE "audit_chain_head" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "last_seq" BIGINT NOT NULL DEFAULT 0,
    "last_hash" TEXT NOT NULL,
    CONSTRAINT "audit_chain_head_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "audit_chain_head_single_row" CHECK ("id" = 1)
);
INSERT INTO "audit_chain_head" ("id", "last_seq", "last_hash")
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The audit log is append-only: the database itself refuses changes, whatever
-- the application does.
CREATE FUNCTION "audit_event_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "audit_event_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_event"
    FOR EACH ROW EXECUTE FUNCTION "audit_event_refuse_change"();
CREATE TRIGGER "audit_event_no_truncate" BEFORE TRUNCATE ON "audit_event"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_refuse_change"();
