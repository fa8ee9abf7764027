import "server-only";
import { randomUUID } from "node:crypto";
import { auditEventCanonicalAroundSeq } from "@/lib/audit/chain";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/platform/db";

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
 * statement: the SQL function append_audit_event locks the chain head, takes
 * the next seq, hashes, inserts and moves the head. The head row stays locked
 * until that transaction ends, which orders events, so every reset waits for
 * it: one round trip keeps the time it is held to that statement and the
 * commit (decision 008). The function runs with its owner's rights: the app's
 * database role can read the log but write it only through it (decision 014).
 * Call it as the last write of a transaction.
 */
export async function appendAuditEvent(tx: Tx, input: NewAuditEvent): Promise<{ id: string; seq: bigint }> {
  const id = randomUUID();
  const occurredAt = input.occurredAt ?? new Date();
  // The caller's own request id sits in details, labelled as theirs: request_id is always ours.
  const clientRequestId = input.meta.clientRequestId ? { clientRequestId: input.meta.clientRequestId } : {};
  // Round-trip through JSON so the hash covers exactly what jsonb stores; the text itself is what is stored.
  const detailsJson = JSON.stringify({ ...input.details, ...clientRequestId });
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
  const [row] = await tx.$queryRaw<{ seq: bigint | null }[]>`
    SELECT append_audit_event(${id}::uuid, ${occurredAt}::timestamptz, ${content.actorId}::uuid, ${content.actorName}::text,
                              ${content.actorEmail}::text, ${content.action}::text, ${content.targetType}::text,
                              ${content.targetId}::text, ${content.ticketId}::text, ${detailsJson}::jsonb, ${content.ip}::text,
                              ${content.userAgent}::text, ${content.requestId}::text, ${before}::text, ${after}::text) AS seq`;
  if (row?.seq == null) throw new Error("audit_chain_head is missing: run the migrations");
  return { id, seq: BigInt(row.seq) };
}
