import "server-only";
import { randomUUID } from "node:crypto";
import { auditEventHash, type AuditEventContent } from "@/lib/audit/chain";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "./db";

export interface Actor {
  id: string | null;
  name: string | null;
  email: string | null;
}

export interface RequestMeta {
  requestId: string;
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
 * Appends one event to the hash chain inside the caller's transaction. The
 * chain head row stays locked until that transaction ends, which orders
 * events; call this as the last write of a transaction to keep the lock short.
 */
export async function appendAuditEvent(tx: Tx, input: NewAuditEvent): Promise<{ id: string; seq: bigint }> {
  const [head] = await tx.$queryRaw<{ last_seq: bigint; last_hash: string }[]>`
    SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE`;
  if (!head) throw new Error("audit_chain_head is missing: run the migrations");
  const content: AuditEventContent = {
    seq: head.last_seq + 1n,
    id: randomUUID(),
    occurredAt: input.occurredAt ?? new Date(),
    actorId: input.actor.id,
    actorName: input.actor.name,
    actorEmail: input.actor.email,
    action: input.action,
    targetType: input.target?.type ?? null,
    targetId: input.target?.id ?? null,
    ticketId: input.ticketId ?? null,
    // Round-trip through JSON so the hash covers exactly what jsonb stores.
    details: JSON.parse(JSON.stringify(input.details ?? {})) as Prisma.InputJsonValue,
    ip: input.meta.ip,
    userAgent: input.meta.userAgent,
    requestId: input.meta.requestId,
  };
  const hash = auditEventHash(head.last_hash, content);
  await tx.auditEvent.create({
    data: { ...content, details: content.details as Prisma.InputJsonValue, prevHash: head.last_hash, hash },
  });
  await tx.auditChainHead.update({ where: { id: 1 }, data: { lastSeq: content.seq, lastHash: hash } });
  return { id: content.id, seq: content.seq };
}
