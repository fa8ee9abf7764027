import "server-only";
import { GENESIS_HASH, verifyChainSegment, type ChainedEvent } from "@/lib/audit/chain";
import { getDb } from "@/lib/platform/db";

/**
 * Walks the whole audit chain in seq order, a batch at a time (memory stays
 * flat however long the log), recomputing every hash; then checks that the
 * chain head points at the last event (so removing the newest rows shows too).
 */
export type AuditChainReport =
  { ok: true; count: number; lastSeq: string; lastHash: string } | { ok: false; count: number; brokenAt: string; reason: string };

interface EventRow {
  seq: bigint;
  id: string;
  occurred_at: Date;
  actor_id: string | null;
  actor_name: string | null;
  actor_email: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ticket_id: string | null;
  details: unknown;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export async function verifyAuditChain(
  options: { batchSize?: number; onProgress?: (count: number) => void } = {},
): Promise<AuditChainReport> {
  const batchSize = options.batchSize ?? 5000;
  const db = getDb();
  let start = { seq: 0n, hash: GENESIS_HASH };
  let count = 0;
  for (;;) {
    const rows = await db.$queryRaw<EventRow[]>`
      SELECT seq, id, occurred_at, actor_id, actor_name, actor_email, action, target_type, target_id, ticket_id,
             details, ip, user_agent, request_id, prev_hash, hash
        FROM audit_event WHERE seq > ${start.seq} ORDER BY seq LIMIT ${batchSize}`;
    if (rows.length === 0) break;
    const result = verifyChainSegment(rows.map(toChained), start);
    if (!result.ok) return { ok: false, count: count + result.count, brokenAt: result.brokenAt.toString(), reason: result.reason };
    count += result.count;
    start = { seq: rows.at(-1)!.seq, hash: result.lastHash };
    options.onProgress?.(count);
  }
  const [head] = await db.$queryRaw<
    { last_seq: bigint; last_hash: string }[]
  >`SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1`;
  if (!head) return { ok: false, count, brokenAt: "head", reason: "audit_chain_head is missing" };
  if (head.last_seq !== start.seq || head.last_hash !== start.hash) {
    return {
      ok: false,
      count,
      brokenAt: (start.seq + 1n).toString(),
      reason: `the chain head points at event #${head.last_seq} but the log ends at #${start.seq} (events were removed, or the head was altered)`,
    };
  }
  return { ok: true, count, lastSeq: start.seq.toString(), lastHash: start.hash };
}

function toChained(r: EventRow): ChainedEvent {
  return {
    seq: r.seq,
    id: r.id,
    occurredAt: r.occurred_at,
    actorId: r.actor_id,
    actorName: r.actor_name,
    actorEmail: r.actor_email,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    ticketId: r.ticket_id,
    details: r.details,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
