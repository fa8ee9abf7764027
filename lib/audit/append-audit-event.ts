import "server-only";
import { randomUUID } from "node:crypto";
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
  /**
   * @deprecated Ignored: the database records the time the event enters the
   * chain (clock_timestamp() under the chain head's lock, decision 035). No
   * caller can choose it. Kept only so existing callers compile; drop it there.
   */
  occurredAt?: Date;
}

/**
 * Appends one event to the hash chain inside the caller's transaction, in one
 * statement: the SQL function append_audit_event locks the chain head, takes
 * the next seq and the time, builds the canonical text from the fields it
 * stores, hashes it, inserts and moves the head (decisions 008, 035). The
 * head row stays locked until that transaction ends, which orders events, so
 * every audited action waits for it: one round trip keeps the time it is held
 * to that statement and the commit. The function runs with its owner's
 * rights: the app's database role can read the log but write it only through
 * it, and gives it neither a hash nor a time (decision 014).
 * Call it as the last write of a transaction.
 */
export async function appendAuditEvent(tx: Tx, input: NewAuditEvent): Promise<{ id: string; seq: bigint }> {
  const id = randomUUID();
  // The caller's own request id sits in details, labelled as theirs: request_id is always ours.
  const clientRequestId = input.meta.clientRequestId ? { clientRequestId: input.meta.clientRequestId } : {};
  const detailsJson = JSON.stringify({ ...input.details, ...clientRequestId });
  const [row] = await tx.$queryRaw<{ seq: bigint | null }[]>`
    SELECT append_audit_event(${id}::uuid, ${input.actor.id}::uuid, ${input.actor.name}::text, ${input.actor.email}::text,
                              ${input.action}::text, ${input.target?.type ?? null}::text, ${input.target?.id ?? null}::text,
                              ${input.ticketId ?? null}::text, ${detailsJson}::jsonb, ${input.meta.ip}::text,
                              ${input.meta.userAgent}::text, ${input.meta.requestId}::text) AS seq`;
  if (row?.seq == null) throw new Error("audit_chain_head is missing: run the migrations");
  return { id, seq: BigInt(row.seq) };
}
