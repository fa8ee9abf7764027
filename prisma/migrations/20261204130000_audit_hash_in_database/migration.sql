-- The audit chain's hash is computed by the database from the fields it
-- stores, and the time is the database's (decision 035). Until now the app
-- role passed append_audit_event the canonical text to hash and the time to
-- record: it could append an event whose hash matches nothing (breaking
-- verification for good) or backdate one. The new function takes neither.
--
-- Hash rule 2 (hash_version = 2), for every event appended from now on:
--   hash = hex(sha256(utf8(canonical text)))
--   canonical text = one JSON object, no whitespace, keys in this order
--   (code-point order), built from exactly the stored columns:
--     {"action":…,"actorEmail":…,"actorId":…,"actorName":…,"details":…,"id":…,"ip":…,
--      "occurredAt":"YYYY-MM-DDTHH:MM:SS.mmmZ","prevHash":…,"requestId":…,"seq":"<digits>",
--      "targetId":…,"targetType":…,"ticketId":…,"userAgent":…,"v":2}
--   Text fields are JSON strings (or null) escaped as PostgreSQL's JSON output
--   does (which is what JSON.stringify does for any text PostgreSQL can hold);
--   "details" is audit_canonical_json(details): object keys sorted by their
--   UTF-8 bytes at every depth, numbers as jsonb prints them.
--   lib/audit/chain.ts computes the same text; the verifiers check it.
-- Events appended before this migration keep hash rule 1 (hash_version = 1:
-- the app's canonical text, recomputed from the columns by the verifier), so
-- the chain verifies across the change and no row is rewritten.

ALTER TABLE "audit_event" ADD COLUMN "hash_version" SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE "audit_event" ALTER COLUMN "hash_version" DROP DEFAULT;
ALTER TABLE "audit_event" ADD CONSTRAINT "audit_event_hash_version_known" CHECK ("hash_version" IN (1, 2));

-- Canonical JSON of a jsonb value (see above). Recursive; IMMUTABLE like the
-- jsonb functions it uses. Schema-qualified so it resolves under any search_path.
CREATE FUNCTION "audit_canonical_json"(value JSONB) RETURNS TEXT
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE jsonb_typeof(value)
        WHEN 'object' THEN '{' || coalesce((
            SELECT string_agg(to_jsonb(k)::text || ':' || public.audit_canonical_json(v), ',' ORDER BY convert_to(k, 'UTF8'))
              FROM jsonb_each(value) AS e(k, v)), '') || '}'
        WHEN 'array' THEN '[' || coalesce((
            SELECT string_agg(public.audit_canonical_json(v), ',' ORDER BY i)
              FROM jsonb_array_elements(value) WITH ORDINALITY AS e(v, i)), '') || ']'
        ELSE value::text
    END
$$;

DROP FUNCTION "append_audit_event"(UUID, TIMESTAMPTZ, UUID, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, JSONB, TEXT, TEXT, TEXT, TEXT, TEXT);

-- Appends one event (decisions 008, 014, 035): everything that does not depend
-- on the chain is encoded before the head is locked, so the lock is held for
-- the head read, clock_timestamp(), one sha256, the insert and the head move.
-- occurred_at is clock_timestamp() taken under the head's lock, rounded to the
-- column's milliseconds: the moment the event entered the chain, so times never
-- go backwards along the seq order (now(), the transaction's start, could be
-- minutes before an event that waited for the lock, and out of order).
CREATE FUNCTION "append_audit_event"(
    p_id UUID,
    p_actor_id UUID,
    p_actor_name TEXT,
    p_actor_email TEXT,
    p_action TEXT,
    p_target_type TEXT,
    p_target_id TEXT,
    p_ticket_id TEXT,
    p_details JSONB,
    p_ip TEXT,
    p_user_agent TEXT,
    p_request_id TEXT
) RETURNS BIGINT
    LANGUAGE plpgsql
    SECURITY DEFINER
    -- A SECURITY DEFINER function must not resolve names through a schema its caller can write to.
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_details JSONB := coalesce(p_details, '{}'::jsonb);
    v_head TEXT;
    v_tail TEXT;
    v_seq BIGINT;
    v_prev TEXT;
    v_at TIMESTAMPTZ;
    v_hash TEXT;
BEGIN
    IF p_id IS NULL OR p_action IS NULL OR p_action = '' THEN
        RAISE EXCEPTION 'append_audit_event: id and action are required' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_typeof(v_details) <> 'object' THEN
        RAISE EXCEPTION 'append_audit_event: details must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_head := '{"action":' || to_jsonb(p_action)::text
        || ',"actorEmail":' || coalesce(to_jsonb(p_actor_email)::text, 'null')
        || ',"actorId":' || coalesce(to_jsonb(p_actor_id::text)::text, 'null')
        || ',"actorName":' || coalesce(to_jsonb(p_actor_name)::text, 'null')
        || ',"details":' || public.audit_canonical_json(v_details)
        || ',"id":' || to_jsonb(p_id::text)::text
        || ',"ip":' || coalesce(to_jsonb(p_ip)::text, 'null')
        || ',"occurredAt":"';
    v_tail := ',"targetId":' || coalesce(to_jsonb(p_target_id)::text, 'null')
        || ',"targetType":' || coalesce(to_jsonb(p_target_type)::text, 'null')
        || ',"ticketId":' || coalesce(to_jsonb(p_ticket_id)::text, 'null')
        || ',"userAgent":' || coalesce(to_jsonb(p_user_agent)::text, 'null')
        || ',"v":2}';

    SELECT last_seq + 1, last_hash INTO v_seq, v_prev FROM public.audit_chain_head WHERE id = 1 FOR UPDATE;
    IF v_seq IS NULL THEN
        RAISE EXCEPTION 'audit_chain_head is missing: run the migrations';
    END IF;
    v_at := clock_timestamp()::timestamptz(3);
    v_hash := encode(sha256(convert_to(
        v_head || to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') || 'Z"'
        || ',"prevHash":' || to_jsonb(v_prev)::text
        || ',"requestId":' || coalesce(to_jsonb(p_request_id)::text, 'null')
        || ',"seq":"' || v_seq::text || '"'
        || v_tail, 'UTF8')), 'hex');
    INSERT INTO public.audit_event (seq, id, occurred_at, actor_id, actor_name, actor_email, action, target_type, target_id,
                                    ticket_id, details, ip, user_agent, request_id, prev_hash, hash, hash_version)
    VALUES (v_seq, p_id, v_at, p_actor_id, p_actor_name, p_actor_email, p_action, p_target_type, p_target_id,
            p_ticket_id, v_details, p_ip, p_user_agent, p_request_id, v_prev, v_hash, 2);
    UPDATE public.audit_chain_head SET last_seq = v_seq, last_hash = v_hash WHERE id = 1;
    RETURN v_seq;
END;
$$;

-- Functions are executable by everyone unless revoked; the app role is granted it by name (scripts/lib/database-roles.ts).
REVOKE ALL ON FUNCTION "append_audit_event"(UUID, UUID, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, JSONB, TEXT, TEXT, TEXT) FROM PUBLIC;
