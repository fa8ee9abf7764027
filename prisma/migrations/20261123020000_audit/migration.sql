-- Audit workspace: indexes for the reset filters and the erase-job backlog,
-- and a helper that keeps exported CSV cells from being read as formulas.

-- Keyset lists are ordered by (created_at DESC, id DESC). The foundation's
-- (created_at, id), (actor_id, created_at, id) and (outcome, created_at, id)
-- indexes serve the date, agent and outcome filters; account and ticket get
-- the same shape so their pages never sort in memory.
CREATE INDEX "scope_reset_account_id_created_at_id_idx" ON "scope_reset"("account_id", "created_at", "id");
CREATE INDEX "scope_reset_ticket_id_created_at_id_idx" ON "scope_reset"("ticket_id", "created_at", "id");

-- Backlog: accounts whose scope set lacks the erase-job scopes, split by the
-- signup cutoff. Only a few hundred scope sets lack them, so the count is an
-- index-only range scan per set instead of a pass over every account.
CREATE INDEX "account_scope_set_id_signed_up_at_idx" ON "account"("scope_set_id", "signed_up_at");

-- A cell that starts with =, +, -, @, tab or carriage return is a formula to
-- spreadsheet programs; a leading apostrophe makes it plain text. (left(), not a
-- regular expression: it runs on ten columns of every exported row.)
CREATE FUNCTION "audit_csv_text"(value TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN left(value, 1) IN ('=', '+', '-', '@', E'\t', E'\r') THEN '''' || value ELSE value END;
