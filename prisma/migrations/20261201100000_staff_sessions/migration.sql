-- Revocable staff sessions (issue 13, decision 013). The Auth.js token only
-- names a session; whether it is still live, and who it is for with which
-- role, is read here on every request (with a few seconds of cache).

-- A disabled staff member cannot sign in, and their sessions stop working.
ALTER TABLE "staff_user" ADD COLUMN "disabled_at" TIMESTAMPTZ(3);

-- One row per sign-in. "id" is the SHA-256 (hex) of the random session secret
-- carried inside the encrypted token, so a copy of this table alone cannot be
-- turned into working sessions. Ended by sign-out, by disabling the staff
-- member or by `npm run staff -- revoke-sessions`; expires with the token.
CREATE TABLE "staff_session" (
    "id" TEXT NOT NULL,
    "staff_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_reason" TEXT,
    "ip" TEXT,
    "user_agent" TEXT,
    CONSTRAINT "staff_session_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "staff_session_id_is_sha256" CHECK ("id" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "staff_session_revocation_consistent" CHECK (("revoked_at" IS NULL) = ("revoked_reason" IS NULL))
);
CREATE INDEX "staff_session_staff_id_expires_at_idx" ON "staff_session"("staff_id", "expires_at");
ALTER TABLE "staff_session" ADD CONSTRAINT "staff_session_staff_id_fkey" FOREIGN KEY ("staff_id") REFERENCES "staff_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;
