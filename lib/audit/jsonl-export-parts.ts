import "server-only";
import { createHash } from "node:crypto";
import type { PoolClient } from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { Prisma } from "@/lib/generated/prisma/client";
import { GENESIS_HASH } from "./chain";
import { sealText } from "./checkpoint";
import { exportEventRangeSql, exportEventsSql, exportSql, type settingsBinder } from "./export-sql";
import { signText, type AuditSigningKey } from "./signing-key";

/**
 * The JSON Lines export as evidence (decision 036). One JSON object per line,
 * each with a "type", in this order:
 *
 *   header       format "scopedesk.audit-export", version 2, who exported, when, the filter
 *   scope_reset  one per exported reset, in the list's order, each naming its own audit event (audit_seq)
 *   audit_event  every event of the chain from just after an anchor (the start of the log, or a
 *                signed checkpoint before the first exported reset's event) through the first
 *                checkpoint at or after the last one's: all of them, whatever their kind, since the
 *                chain links each to the one before
 *   checkpoint   every signed checkpoint from the anchor through that covering one
 *   end          the counts of each
 *   seal         SHA-256 of every byte before it, signed with the audit signing key
 *
 * `npm run audit:verify-export` checks it with the public key alone: the seal
 * (nothing changed, removed, added or reordered since export), the
 * checkpoints' signatures, the chain from its anchor to its covering
 * checkpoint, and each reset against its event. A filtered export stays
 * verifiable because it carries the whole stretch of chain its resets sit in.
 */
export interface JsonlHeader {
  exportedAt: string;
  exportedBy: { id: string; name: string; email: string };
  filter: Record<string, string | undefined>;
  exportEventSeq: string;
}

interface CheckpointRecord {
  head_seq: string;
  head_event_id: string;
  head_hash: string;
  event_count: string;
  signed_at: Date;
  key_id: string;
  signature: string;
}

const line = (value: unknown) => Buffer.from(`${JSON.stringify(value)}\n`, "utf8");

export async function* jsonlExportParts(input: {
  client: PoolClient;
  where: Prisma.Sql;
  settings: ReturnType<typeof settingsBinder>;
  key: AuditSigningKey | null;
  header: JsonlHeader;
}): AsyncGenerator<Buffer> {
  const { client, where, settings, key } = input;
  const digest = createHash("sha256");
  const counted = { scope_reset: 0, audit_event: 0, checkpoint: 0 };
  const emit = (chunk: Buffer) => {
    digest.update(chunk);
    return chunk;
  };
  const countLines = (chunk: Buffer) => {
    let n = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
    return n;
  };

  yield emit(line({ type: "header", format: "scopedesk.audit-export", version: 2, ...input.header, keyId: key?.keyId ?? null }));
  // Bound before the first statement reads them: COPY takes no parameters (./export-sql.ts).
  const firstAt = settings.values.length;
  const first = settings.bind("0", "bigint");
  const last = settings.bind("0", "bigint");
  for await (const chunk of client.query(copyTo(exportSql("jsonl", where))) as AsyncIterable<Buffer>) {
    counted.scope_reset += countLines(chunk);
    yield emit(chunk);
  }

  const [range] = (await client.query<{ min_seq: string | null; max_seq: string | null }>(exportEventRangeSql(where))).rows;
  let anchor: { kind: "genesis" | "checkpoint"; seq: string; hash: string } = { kind: "genesis", seq: "0", hash: GENESIS_HASH };
  let checkpoints: CheckpointRecord[] = [];
  let lastSeq: string | null = null;
  let firstSeq: string | null = null;
  if (range?.min_seq && range.max_seq) {
    const { rows } = await client.query<CheckpointRecord>(
      `SELECT head_seq::text, head_event_id, head_hash, event_count::text, signed_at, key_id, signature FROM audit_checkpoint ORDER BY audit_checkpoint.head_seq, audit_checkpoint.id`,
    );
    const min = BigInt(range.min_seq);
    const max = BigInt(range.max_seq);
    const before = rows.filter((c) => BigInt(c.head_seq) < min).at(-1);
    const covering = rows.find((c) => BigInt(c.head_seq) >= max);
    if (before) anchor = { kind: "checkpoint", seq: before.head_seq, hash: before.head_hash };
    firstSeq = (BigInt(anchor.seq) + 1n).toString();
    lastSeq = covering ? covering.head_seq : range.max_seq;
    checkpoints = rows.filter((c) => BigInt(c.head_seq) >= BigInt(anchor.seq) && BigInt(c.head_seq) <= BigInt(lastSeq!));
    settings.values[firstAt] = firstSeq;
    settings.values[firstAt + 1] = lastSeq;
    for (const index of [firstAt, firstAt + 1]) {
      await client.query("SELECT set_config($1, $2, true)", [`scopedesk.export_${index + 1}`, settings.values[index]]);
    }
    for await (const chunk of client.query(copyTo(exportEventsSql(first, last))) as AsyncIterable<Buffer>) {
      counted.audit_event += countLines(chunk);
      yield emit(chunk);
    }
  }
  for (const c of checkpoints) {
    counted.checkpoint++;
    yield emit(
      line({
        type: "checkpoint",
        head_seq: c.head_seq,
        head_event_id: c.head_event_id,
        head_hash: c.head_hash,
        event_count: c.event_count,
        signed_at: c.signed_at.toISOString(),
        key_id: c.key_id,
        signature: c.signature,
      }),
    );
  }
  yield emit(
    line({
      type: "end",
      scope_resets: counted.scope_reset,
      audit_events: counted.audit_event,
      checkpoints: counted.checkpoint,
      first_event_seq: firstSeq,
      last_event_seq: lastSeq,
      anchor,
    }),
  );
  if (key) {
    const sha256 = digest.digest("hex");
    yield line({ type: "seal", keyId: key.keyId, sha256, signature: signText(key, sealText({ sha256, keyId: key.keyId })) });
  }
}
