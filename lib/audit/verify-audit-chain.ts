import "server-only";
import { GENESIS_HASH, verifyChainSegment, type ChainedEvent } from "@/lib/audit/chain";
import { getConfig } from "@/lib/platform/config";
import { getDb, type Db } from "@/lib/platform/db";
import { describeHashMismatch, summarize, type ChainProblem, type ChainReport, type ResetRecordFacts } from "./chain-report";
import { checkCheckpointSignature } from "./checkpoint";
import type { AuditSigningKey } from "./signing-key";

/**
 * Walks the whole audit chain in seq order, a batch at a time (memory stays
 * flat however long the log), recomputing every hash under its own rule;
 * checks every signed checkpoint against the event it names and its
 * signature; then checks that the chain head points at the last event (so
 * removing the newest rows shows too). The report says the result in words
 * (./chain-report.ts). Used by `npm run audit:verify` and by the console's
 * "Verify chain" job (./run-chain-verification.ts).
 */
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
  details: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
  hash_version: number;
}

interface CheckpointRecord {
  head_seq: bigint;
  head_event_id: string;
  head_hash: string;
  event_count: bigint;
  signed_at: Date;
  key_id: string;
  signature: string;
}

export interface VerifyOptions {
  batchSize?: number;
  /** Called after each batch with the number of events checked so far and the head's seq when the walk began. */
  onProgress?: (checked: number, total: number) => void | Promise<void>;
  /** The key whose signatures to check; default the configured one. */
  key?: Pick<AuditSigningKey, "publicKey" | "keyId"> | null;
  /** Another database than the app's (tests). */
  db?: Db;
}

export async function verifyAuditChain(options: VerifyOptions = {}): Promise<ChainReport> {
  const batchSize = options.batchSize ?? 5000;
  const key = options.key === undefined ? getConfig().audit.signingKey : options.key;
  const db = options.db ?? getDb();
  const [startHead] = await db.$queryRaw<{ last_seq: bigint }[]>`SELECT last_seq FROM audit_chain_head WHERE id = 1`;
  const total = Number(startHead?.last_seq ?? 0n);
  const checkpoints = await db.$queryRaw<CheckpointRecord[]>`
    SELECT head_seq, head_event_id, head_hash, event_count, signed_at, key_id, signature FROM audit_checkpoint ORDER BY head_seq, id`;
  const bySeq = new Map<bigint, CheckpointRecord[]>();
  for (const c of checkpoints) bySeq.set(c.head_seq, [...(bySeq.get(c.head_seq) ?? []), c]);

  let start = { seq: 0n, hash: GENESIS_HASH };
  let count = 0;
  let problem: ChainProblem | null = null;
  let matching = 0;
  let otherKey = 0;
  let signatureProblem: ChainProblem | null = null;

  walk: for (;;) {
    const rows = await db.$queryRaw<EventRow[]>`
      SELECT seq, id, occurred_at, actor_id, actor_name, actor_email, action, target_type, target_id, ticket_id,
             details::text AS details, ip, user_agent, request_id, prev_hash, hash, hash_version
        FROM audit_event WHERE seq > ${start.seq} ORDER BY seq LIMIT ${batchSize}`;
    if (rows.length === 0) break;
    const events = rows.map(toChained);
    const result = verifyChainSegment(events, start);
    const good = result.ok ? events : events.slice(0, result.count);
    // Checkpoints are checked along the intact part: a consistent rewrite of the chain passes the walk and fails here.
    for (const e of good) {
      for (const c of bySeq.get(e.seq) ?? []) {
        if (c.head_hash !== e.hash || c.head_event_id !== e.id) {
          problem = {
            kind: "checkpoint",
            seq: e.seq.toString(),
            message: `its hash (${e.hash.slice(0, 12)}…) is not the one signed in the checkpoint of ${c.signed_at.toISOString()} (${c.head_hash.slice(0, 12)}…): the chain up to event #${e.seq} was rewritten after that checkpoint was signed.`,
            differences: [],
          };
          count += good.indexOf(e);
          break walk;
        }
        const check = key ? checkCheckpointSignature(toSigned(c), key) : "other_key";
        if (check === "valid") matching++;
        else if (check === "other_key") otherKey++;
        else {
          signatureProblem ??= {
            kind: "signature",
            seq: e.seq.toString(),
            message: `the checkpoint signed ${c.signed_at.toISOString()} for event #${e.seq} has a signature that does not verify with key ${c.key_id}: it was not made with the audit signing key, so it proves nothing.`,
            differences: [],
          };
        }
      }
    }
    if (!result.ok) {
      count += result.count;
      const differences =
        result.problem === "hash" && result.event
          ? describeHashMismatch({
              event: result.event,
              recomputed: result.recomputed ?? null,
              nextPrevHash: await nextPrevHash(db, result.event.seq),
              reset: await resetFacts(db, result.event),
            })
          : [];
      problem = { kind: result.problem, seq: result.brokenAt.toString(), message: result.reason, differences };
      break;
    }
    count += result.count;
    start = { seq: result.lastSeq, hash: result.lastHash };
    await options.onProgress?.(count, total);
  }

  if (!problem) {
    const [head] = await db.$queryRaw<
      { last_seq: bigint; last_hash: string }[]
    >`SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1`;
    if (!head) {
      problem = { kind: "head", seq: "0", message: "the chain head (audit_chain_head) is missing.", differences: [] };
    } else if (head.last_seq < start.seq || (head.last_seq === start.seq && head.last_hash !== start.hash)) {
      problem = {
        kind: "head",
        seq: start.seq.toString(),
        message: `the chain head points at event #${head.last_seq} (${head.last_hash.slice(0, 12)}…) but the log ends at #${start.seq} (${start.hash.slice(0, 12)}…): the head was altered.`,
        differences: [],
      };
    } else if (head.last_seq > start.seq) {
      // Events appended after the walk's last read are fine; events the head names but the log lacks are not.
      const [tail] = await db.$queryRaw<
        { n: bigint }[]
      >`SELECT count(*) AS n FROM audit_event WHERE seq > ${start.seq} AND seq <= ${head.last_seq}`;
      if (Number(tail?.n ?? 0) < Number(head.last_seq - start.seq)) {
        problem = {
          kind: "head",
          seq: (start.seq + 1n).toString(),
          message: `the chain head points at event #${head.last_seq} but the log ends at #${start.seq}: events were removed from the end.`,
          differences: [],
        };
      }
    }
  }
  problem ??= signatureProblem;
  const newest = checkpoints.at(-1);
  const base = {
    ok: problem === null,
    eventsChecked: count,
    // Seqs run from 1 without gaps, so the count of intact events is the last intact seq.
    intactThrough:
      problem && problem.kind !== "signature" ? (count > 0 ? String(count) : null) : start.seq === 0n ? null : start.seq.toString(),
    headSeq: String(total),
    problem,
    checkpoints: {
      count: checkpoints.length,
      matching,
      otherKey,
      newest: newest ? { headSeq: newest.head_seq.toString(), signedAt: newest.signed_at.toISOString(), keyId: newest.key_id } : null,
      keyConfigured: key !== null,
    },
  };
  await options.onProgress?.(count, total);
  return { ...base, summary: summarize(base) };
}

async function nextPrevHash(db: Db, seq: bigint): Promise<string | null> {
  const [row] = await db.$queryRaw<{ prev_hash: string }[]>`SELECT prev_hash FROM audit_event WHERE seq = ${seq + 1n}`;
  return row?.prev_hash ?? null;
}

/** The reset record a scope_reset.* event describes, when there is one. */
async function resetFacts(db: Db, e: ChainedEvent): Promise<ResetRecordFacts | null> {
  if (!e.action.startsWith("scope_reset.")) return null;
  let resetId: unknown;
  try {
    resetId = (JSON.parse(String(e.details)) as { resetId?: unknown }).resetId;
  } catch {
    return null;
  }
  if (typeof resetId !== "string" || !/^[0-9a-f-]{36}$/i.test(resetId)) return null;
  const r = await db.scopeReset.findUnique({
    where: { id: resetId },
    select: {
      outcome: true,
      accountId: true,
      ticketId: true,
      actorId: true,
      actorName: true,
      actorEmail: true,
      requestId: true,
      clientIp: true,
      userAgent: true,
      added: true,
      removed: true,
    },
  });
  return r ? { ...r, outcome: String(r.outcome) } : null;
}

function toSigned(c: CheckpointRecord) {
  return {
    headSeq: c.head_seq,
    headEventId: c.head_event_id,
    headHash: c.head_hash,
    eventCount: c.event_count,
    signedAt: c.signed_at,
    keyId: c.key_id,
    signature: c.signature,
  };
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
    hashVersion: r.hash_version,
  };
}
