import { createHash } from "node:crypto";

/**
 * The audit log's tamper evidence: each event's hash covers its canonical
 * content and the previous event's hash, so editing, removing or reordering
 * any row breaks every link after it.
 */
export const GENESIS_HASH = "0".repeat(64);

export interface AuditEventContent {
  seq: bigint;
  id: string;
  occurredAt: Date;
  actorId: string | null;
  actorName: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ticketId: string | null;
  details: unknown;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** JSON with object keys sorted at every depth; the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** The text an event's hash covers (besides the previous hash). */
export function auditEventCanonical(e: AuditEventContent): string {
  // Name every field: a row object also carries prevHash/hash, which must not hash themselves.
  return canonicalJson({
    seq: e.seq.toString(),
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actorId: e.actorId,
    actorName: e.actorName,
    actorEmail: e.actorEmail,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    ticketId: e.ticketId,
    details: e.details,
    ip: e.ip,
    userAgent: e.userAgent,
    requestId: e.requestId,
  });
}

export function auditEventHash(prevHash: string, e: AuditEventContent): string {
  return createHash("sha256").update(prevHash).update("\n").update(auditEventCanonical(e)).digest("hex");
}

/**
 * The canonical text of an event whose seq is not known yet, as the parts
 * before and after the seq's digits: the database, which assigns the seq
 * under the chain head's lock, hashes `prevHash + "\n" + before + seq + after`
 * and gets exactly auditEventHash (unit-tested). The top-level "seq" is the
 * last `"seq":"…"` in the text: every top-level value after it is a scalar,
 * and a quote inside a string is always escaped.
 */
export function auditEventCanonicalAroundSeq(e: Omit<AuditEventContent, "seq">): { before: string; after: string } {
  const text = auditEventCanonical({ ...e, seq: 0n });
  const marker = '"seq":"0"';
  const at = text.lastIndexOf(marker);
  return { before: text.slice(0, at + marker.length - 2), after: text.slice(at + marker.length - 1) };
}

export interface ChainedEvent extends AuditEventContent {
  prevHash: string;
  hash: string;
}

export type ChainCheck = { ok: true; count: number; lastHash: string } | { ok: false; count: number; brokenAt: bigint; reason: string };

/**
 * Walks events in seq order from `start` (the previous link's seq and hash)
 * and reports the first broken link.
 */
export function verifyChainSegment(
  events: Iterable<ChainedEvent>,
  start: { seq: bigint; hash: string } = { seq: 0n, hash: GENESIS_HASH },
): ChainCheck {
  let expectedSeq = start.seq + 1n;
  let prev = start.hash;
  let count = 0;
  for (const e of events) {
    if (e.seq !== expectedSeq) {
      return { ok: false, count, brokenAt: e.seq, reason: `expected event #${expectedSeq}, found #${e.seq} (a row is missing)` };
    }
    if (e.prevHash !== prev) {
      return { ok: false, count, brokenAt: e.seq, reason: `event #${e.seq} does not point at the previous event's hash` };
    }
    const recomputed = auditEventHash(prev, e);
    if (recomputed !== e.hash) {
      return { ok: false, count, brokenAt: e.seq, reason: `event #${e.seq} content does not match its hash (the row was altered)` };
    }
    prev = e.hash;
    expectedSeq += 1n;
    count += 1;
  }
  return { ok: true, count, lastHash: prev };
}
