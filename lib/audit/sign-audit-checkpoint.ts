import "server-only";
import { getConfig } from "@/lib/platform/config";
import { getDb, type Db } from "@/lib/platform/db";
import { signCheckpoint } from "./checkpoint";
import type { AuditSigningKey } from "./signing-key";

export interface CheckpointRow {
  id: string;
  headSeq: string;
  headEventId: string;
  headHash: string;
  eventCount: string;
  signedAt: string;
  recordedAt: string;
  keyId: string;
  signature: string;
}

export type CheckpointOutcome =
  | { signed: true; checkpoint: CheckpointRow }
  | { signed: false; reason: "no_key" | "empty_log" | "already_signed"; checkpoint: CheckpointRow | null };

/**
 * Signs the audit chain's head and stores the checkpoint (decision 036): the
 * worker's scheduled job (every AUDIT_CHECKPOINT_MINUTES), and the export
 * before it writes a file, so the file's events are covered. Nothing to do
 * when the head is already signed or no key is configured. The row goes in
 * through record_audit_checkpoint, which checks the head against the log and
 * sets the recording time itself: the app role cannot write the table.
 */
export async function signAuditCheckpoint(options: { key?: AuditSigningKey | null; db?: Db } = {}): Promise<CheckpointOutcome> {
  const key = options.key === undefined ? getConfig().audit.signingKey : options.key;
  const db = options.db ?? getDb();
  const latest = await latestCheckpoint(db);
  if (!key) return { signed: false, reason: "no_key", checkpoint: latest };
  const [head] = await db.$queryRaw<{ last_seq: bigint; last_hash: string; event_id: string | null }[]>`
    SELECT h.last_seq, h.last_hash, e.id AS event_id FROM audit_chain_head h LEFT JOIN audit_event e ON e.seq = h.last_seq WHERE h.id = 1`;
  if (!head || head.last_seq === 0n || !head.event_id) return { signed: false, reason: "empty_log", checkpoint: latest };
  if (latest && BigInt(latest.headSeq) >= head.last_seq) return { signed: false, reason: "already_signed", checkpoint: latest };
  const signed = signCheckpoint(key, {
    headSeq: head.last_seq,
    headEventId: head.event_id,
    headHash: head.last_hash,
    eventCount: head.last_seq,
    signedAt: new Date(),
  });
  const [row] = await db.$queryRaw<{ id: bigint }[]>`
    SELECT record_audit_checkpoint(${head.last_seq}::bigint, ${head.last_hash}::text, ${new Date(signed.signedAt)}::timestamptz,
                                   ${signed.keyId}::text, ${signed.signature}::text) AS id`;
  const stored = await db.auditCheckpoint.findUniqueOrThrow({ where: { id: row!.id } });
  return { signed: true, checkpoint: toRow(stored) };
}

export async function latestCheckpoint(db: Db = getDb()): Promise<CheckpointRow | null> {
  const row = await db.auditCheckpoint.findFirst({ orderBy: [{ headSeq: "desc" }, { id: "desc" }] });
  return row ? toRow(row) : null;
}

export function toRow(r: {
  id: bigint;
  headSeq: bigint;
  headEventId: string;
  headHash: string;
  eventCount: bigint;
  signedAt: Date;
  recordedAt: Date;
  keyId: string;
  signature: string;
}): CheckpointRow {
  return {
    id: r.id.toString(),
    headSeq: r.headSeq.toString(),
    headEventId: r.headEventId,
    headHash: r.headHash,
    eventCount: r.eventCount.toString(),
    signedAt: r.signedAt.toISOString(),
    recordedAt: r.recordedAt.toISOString(),
    keyId: r.keyId,
    signature: r.signature,
  };
}
