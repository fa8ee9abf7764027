import "server-only";
import { randomUUID } from "node:crypto";
import { auditEventCanonicalAroundSeq } from "@/lib/audit/chain";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "./db";

export interface Actor {
  id: string | null;
  name: string | null;
  email: string | null;
}

export interface RequestMeta {
  /** Ours, made by the server for every request. */
  requestId: string;
  /** The caller's own X-Request-Id, when it sent a well-formed one: kept beside ours, never instead. */
  clientRequestId?: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface NewAuditEvent {
  actor: Actor;
  action: string;
  target?: { type: string; id: string };
  ticketId?: string | null;
  details?: Record<string, unknown>;
  meta: RequestMeta;
  occurredAt?: Date;
}

/**
 * Appends one event to the hash chain inside the caller's transaction, in one
 * statement: lock the chain head, take the next seq, hash, insert, move the
 * head. The head row stays locked until that transaction ends, which orders
 * events, so every reset waits for it: one round trip instead of four keeps
 * the time it is held to that statement and the commit (under load each round
 * trip also waits for the server's event loop). Call it as the last write of
 * a transaction.
 */
export async function appendAuditEvent(tx: Tx, input: NewAuditEvent): Promise<{ id: string; seq: bigint }> {
  const id = randomUUID();
  const occurredAt = input.occurredAt ?? new Date();
  // Round-trip through JSON so the hash covers exactly what jsonb stores; the text itself is what is stored.
  const detailsJson = JSON.stringify(input.details ?? {});
  const details = JSON.parse(detailsJson) as Prisma.InputJsonValue;
  const content = {
    id,
    occurredAt,
    actorId: input.actor.id,
    actorName: input.actor.name,
    actorEmail: input.actor.email,
    action: input.action,
    targetType: input.target?.type ?? null,
    targetId: input.target?.id ?? null,
    ticketId: input.ticketId ?? null,
    details,
    ip: input.meta.ip,
    userAgent: input.meta.userAgent,
    requestId: input.meta.requestId,
  };
  const { before, after } = auditEventCanonicalAroundSeq(content);
  const [row] = await tx.$queryRaw<{ seq: bigint }[]>`
    WITH head AS (
      SELECT last_seq + 1 AS seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE
    ), event AS (
      SELECT seq, last_hash AS prev_hash,
             encode(sha256(convert_to(last_hash || chr(10) || ${before} || seq::text || ${after}, 'UTF8')), 'hex') AS hash
      FROM head
    ), inserted AS (
      INSERT INTO audit_event (seq, id, occurred_at, actor_id, actor_name, actor_email, action, target_type, target_id,
                               ticket_id, details, ip, user_agent, request_id, prev_hash, hash)
      SELECT seq, ${id}::uuid, ${occurredAt}, ${content.actorId}::uuid, ${content.actorName}, ${content.actorEmail}, ${content.action},
             ${content.targetType}, ${content.targetId}, ${content.ticketId}, ${detailsJson}::jsonb, ${content.ip},
             ${content.userAgent}, ${content.requestId}, prev_hash, hash
      FROM event
      RETURNING seq, hash
    )
    UPDATE audit_chain_head h SET last_seq = inserted.seq, last_hash = inserted.hash
    FROM inserted WHERE h.id = 1
    RETURNING inserted.seq`;
  if (!row) throw new Error("audit_chain_head is missing: run the migrations");
  return { id, seq: BigInt(row.seq) };
}
