-- The caller's own X-Request-Id, when it sent a well-formed one (docs/decisions/017-csrf-csp-and-bad-input.md):
-- kept beside request_id, which the server always makes itself, so a client can neither choose
-- the id an attempt is filed under nor lose the id it quoted. Audit events keep it in details.clientRequestId.

ALTER TABLE "scope_reset" ADD COLUMN "client_request_id" TEXT;
