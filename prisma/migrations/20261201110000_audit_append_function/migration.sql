-- The audit chain append of decision 008 as a function that runs with its
-- owner's rights (decision 014). The application's database role may read the
-- audit log but not write it: this function is its only way to add an event,
-- so every row gets the next seq and a hash over the chain head, and the app
-- needs no UPDATE on audit_chain_head and no INSERT on audit_event (with which
-- it could write rows of its own choosing, e.g. take the next seq with a
-- made-up hash). The canonical text around the seq still comes from the app
-- (decision 008); `npm run audit:verify` recomputes it from each row's columns.
CREATE FUNCTION "append_audit_event"(
    p_id UUID,
    p_occurred_at TIMESTAMPTZ,
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
    p_request_id TEXT,
    p_canonical_before TEXT,
    p_canonical_after TEXT
) RETURNS BIGINT
    LANGUAGE sql
    SECURITY DEFINER
    -- A SECURITY DEFINER function must not resolve names through a schema its caller can write to.
    SET search_path = pg_catalog, pg_temp
AS $$
    WITH head AS (
        SELECT last_seq + 1 AS seq, last_hash FROM public.audit_chain_head WHERE id = 1 FOR UPDATE
    ), event AS (
        SELECT seq, last_hash AS prev_hash,
               encode(sha256(convert_to(last_hash || chr(10) || p_canonical_before || seq::text || p_canonical_after, 'UTF8')), 'hex') AS hash
        FROM head
    ), inserted AS (
        INSERT INTO public.audit_event (seq, id, occurred_at, actor_id, actor_name, actor_email, action, target_type, target_id,
                                        ticket_id, details, ip, user_agent, request_id, prev_hash, hash)
        SELECT seq, p_id, p_occurred_at, p_actor_id, p_actor_name, p_actor_email, p_action, p_target_type, p_target_id,
               p_ticket_id, p_details, p_ip, p_user_agent, p_request_id, prev_hash, hash
        FROM event
        RETURNING seq, hash
    )
    UPDATE public.audit_chain_head h SET last_seq = inserted.seq, last_hash = inserted.hash
    FROM inserted WHERE h.id = 1
    RETURNING inserted.seq
$$;

-- Functions are executable by everyone unless revoked; the app role is granted it by name (scripts/lib/database-roles.ts).
REVOKE ALL ON FUNCTION "append_audit_event"(UUID, TIMESTAMPTZ, UUID, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, JSONB, TEXT, TEXT, TEXT, TEXT, TEXT) FROM PUBLIC;
