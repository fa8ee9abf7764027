-- Lookup by partial e-mail, e-mail domain and company name (decision 037),
-- each branch served by an index in the order it pages in, so a page never
-- sorts all matches:
--   e-mail prefix   `ops@acme`             (lower(email) COLLATE "C", id)
--   domain prefix   `acme-legacy.example`  (lower(split_part(email, '@', 2)) COLLATE "C", id)
--   company prefix  `Acme Legacy`          (lower(company) COLLATE "C", id)
--   company words   `legacy`               trigram GIN on lower(company), for LIKE '%…%'
-- The "C" collation makes LIKE 'prefix%' a range scan of the index and gives
-- byte order, so the keyset (key, id) > (last key, last id) pages in index order.

-- pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner creates
-- it without a superuser. Where the owner may not (no CREATE on the database),
-- a superuser runs `CREATE EXTENSION pg_trgm;` in the database once beforehand
-- (README, "Production database roles").
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "account_email_lower_c_id_idx" ON "account" ((lower("email")) COLLATE "C", "id");
CREATE INDEX "account_email_domain_c_id_idx" ON "account" ((lower(split_part("email", '@', 2))) COLLATE "C", "id");
CREATE INDEX "account_company_lower_c_id_idx" ON "account" ((lower("company")) COLLATE "C", "id") WHERE "company" IS NOT NULL;
CREATE INDEX "account_company_trgm_idx" ON "account" USING gin (lower("company") gin_trgm_ops) WHERE "company" IS NOT NULL;
