-- Erasure matches addresses case-insensitively in full (docs/decisions/009-erasure-matches-case-insensitively.md):
-- "Case.X@example.com" and "CASE.X@example.com" are the same person to the
-- sender, and erasing one while keeping the others is not an erasure. The
-- lookup index is now on lower(recipient_email); the old function (local part
-- as given, domain lower-cased) goes, so nothing can match the old way.

DROP INDEX "message_activity_account_id_email_idx";
CREATE INDEX "message_activity_account_id_email_lower_idx" ON "message_activity" ("account_id", lower("recipient_email"))
    WHERE "recipient_email" IS NOT NULL;
DROP FUNCTION "email_normalized"(TEXT);
