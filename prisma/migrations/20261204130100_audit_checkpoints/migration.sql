-- Signed checkpoints of the audit chain (decision 036): at a fixed interval the
-- worker signs the chain head (seq, hash, count) with the Ed25519 key from
-- AUDIT_SIGNING_KEY and stores the signature here. A checkpoint pins every
-- event up to its head: rewriting any of them later (even as a superuser,
-- consistently, chain head included) no longer matches a signature made with
-- a key the database never sees.
--
-- Same privileges as audit_event (decision 014): the app role may read it and
-- add a row only through record_audit_checkpoint; no one may change or remove one.
CREATE TABLE "audit_checkpoint" (
    "id" BIGINT GENERATED ALWAYS AS IDENTITY,
    "head_seq" BIGINT NOT NULL,
    "head_event_id" UUID NOT NULL,
    "head_hash" TEXT NOT NULL,
    "event_count" BIGINT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,
    "key_id" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    -- No foreign key to audit_event: record_audit_checkpoint checks the head exists with that hash, and a
    -- foreign key would change how TRUNCATE of the log is refused (the append-only trigger says why).
    CONSTRAINT "audit_checkpoint_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "audit_checkpoint_head_seq_key_id_key" ON "audit_checkpoint"("head_seq", "key_id");

CREATE FUNCTION "audit_checkpoint_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoint is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "audit_checkpoint_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_checkpoint"
    FOR EACH ROW EXECUTE FUNCTION "audit_checkpoint_refuse_change"();
CREATE TRIGGER "audit_checkpoint_no_truncate" BEFORE TRUNCATE ON "audit_checkpoint"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit_checkpoint_refuse_change"();

-- Later tables get the app role's DML by default privileges; this one must
-- not: whoever that gave rights to loses them here, and the grant step
-- (scripts/lib/database-roles.ts, AUDIT_TABLES) gives the app role SELECT.
DO $$
DECLARE
    grantee_name TEXT;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT a.grantee::regrole::text
          FROM pg_class c, aclexplode(c.relacl) a
         WHERE c.oid = '"audit_checkpoint"'::regclass AND a.grantee <> c.relowner AND a.grantee <> 0
    LOOP
        EXECUTE format('REVOKE ALL ON "audit_checkpoint" FROM %s', grantee_name);
    END LOOP;
END $$;

-- The only way to add a checkpoint. The database cannot check an Ed25519
-- signature, so it checks everything else: the head names an event of the log
-- with exactly that hash, checkpoints only move forward, the signing time is
-- the database's own within five minutes (no backdating), and the key id and
-- signature have their shapes. A row with a wrong signature is still possible
-- for whoever can call this; every verifier reports it (lib/audit/checkpoint.ts).
-- A second call for the same head and key returns the first row.
CREATE FUNCTION "record_audit_checkpoint"(
    p_head_seq BIGINT,
    p_head_hash TEXT,
    p_signed_at TIMESTAMPTZ,
    p_key_id TEXT,
    p_signature TEXT
) RETURNS BIGINT
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_event_id UUID;
    v_hash TEXT;
    v_latest BIGINT;
    v_id BIGINT;
BEGIN
    IF p_key_id IS NULL OR p_key_id !~ '^[0-9a-f]{16}$' THEN
        RAISE EXCEPTION 'record_audit_checkpoint: key id must be 16 hex digits' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_signature IS NULL OR p_signature !~ '^[A-Za-z0-9+/]{86}==$' THEN
        RAISE EXCEPTION 'record_audit_checkpoint: signature must be 64 bytes in base64' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_signed_at IS NULL OR abs(extract(epoch FROM (clock_timestamp() - p_signed_at))) > 300 THEN
        RAISE EXCEPTION 'record_audit_checkpoint: signed_at must be within five minutes of the database clock'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT id, hash INTO v_event_id, v_hash FROM public.audit_event WHERE seq = p_head_seq;
    IF v_event_id IS NULL OR v_hash IS DISTINCT FROM p_head_hash THEN
        RAISE EXCEPTION 'record_audit_checkpoint: event #% does not have that hash', p_head_seq USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- One checkpoint at a time, so "only forward" holds between two workers too.
    PERFORM pg_advisory_xact_lock(hashtext('scopedesk.audit_checkpoint'));
    SELECT id INTO v_id FROM public.audit_checkpoint WHERE head_seq = p_head_seq AND key_id = p_key_id;
    IF v_id IS NOT NULL THEN
        RETURN v_id;
    END IF;
    SELECT max(head_seq) INTO v_latest FROM public.audit_checkpoint;
    IF v_latest IS NOT NULL AND p_head_seq < v_latest THEN
        RAISE EXCEPTION 'record_audit_checkpoint: event #% is behind the latest checkpoint (#%)', p_head_seq, v_latest
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO public.audit_checkpoint (head_seq, head_event_id, head_hash, event_count, signed_at, recorded_at, key_id, signature)
    VALUES (p_head_seq, v_event_id, p_head_hash, p_head_seq, p_signed_at, clock_timestamp(), p_key_id, p_signature)
    RETURNING id INTO v_id;
    RETURN v_id;
END;
$$;
REVOKE ALL ON FUNCTION "record_audit_checkpoint"(BIGINT, TEXT, TIMESTAMPTZ, TEXT, TEXT) FROM PUBLIC;
