import { createHash } from "node:crypto";
import { isLosslessNumber, parse as parseLossless, stringify as stringifyLossless } from "lossless-json";

/**
 * The audit log's tamper evidence: each event's hash covers its fields and
 * the previous event's hash, so editing, removing or reordering any row
 * breaks every link after it.
 *
 * Two hash rules, told apart by each row's hash_version:
 * - 1: events appended before decision 035. The app built the canonical text
 *   (`canonicalJson` of the fields, details parsed as JSON) and the database
 *   hashed `prevHash + "\n" + text`.
 * - 2: every event since. The database builds the canonical text itself from
 *   the columns it stores (append_audit_event, migration
 *   20261204130000_audit_hash_in_database) and hashes it; `auditEventTextV2`
 *   is the same text, so any verifier can recompute it.
 *
 * Pure: no database, no clock.
 */
export const GENESIS_HASH = "0".repeat(64);
export const HASH_VERSIONS = [1, 2] as const;
export type HashVersion = (typeof HASH_VERSIONS)[number];

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
  /** Rule 2 hashes the details' JSON text as PostgreSQL prints jsonb (numbers as stored); rule 1, the parsed value. */
  details: unknown;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** JSON with object keys sorted at every depth; the same value always gives the same text. (Rule 1.) */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** The text an event's rule-1 hash covers (besides the previous hash). */
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

/** Rule 1: sha256(prevHash + "\n" + canonical text). */
export function auditEventHash(prevHash: string, e: AuditEventContent): string {
  return createHash("sha256").update(prevHash).update("\n").update(auditEventCanonical(e)).digest("hex");
}

/** Code-point order, which is the UTF-8 byte order PostgreSQL sorts keys by (`ORDER BY convert_to(k, 'UTF8')`). */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function canonicalLossless(value: unknown): string {
  if (value === null) return "null";
  if (isLosslessNumber(value)) return value.value;
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return `[${value.map(canonicalLossless).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value as object).sort(compareCodePoints);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalLossless((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

/**
 * The canonical form of a JSON text, as the SQL function audit_canonical_json
 * makes it of a jsonb value: no whitespace, object keys in code-point order at
 * every depth, strings escaped as JSON.stringify does (and PostgreSQL's JSON
 * output does, for any text it can store), numbers exactly as written (jsonb
 * prints them normalised; parsing them as doubles would change 1.50 or 2^60).
 */
export function canonicalJsonText(text: string): string {
  return canonicalLossless(parseLossless(text));
}

/**
 * The JSON text of a details value: as is when it is already text (as
 * PostgreSQL printed it), else written out again (a value parsed with
 * lossless-json keeps each number's text).
 */
function detailsText(details: unknown): string {
  return typeof details === "string" ? details : (stringifyLossless(details ?? {}) ?? "{}");
}

const json = (value: string | null) => (value === null ? "null" : JSON.stringify(value));

/** The text an event's rule-2 hash covers: exactly what append_audit_event builds. `details` must be the JSON text. */
export function auditEventTextV2(e: AuditEventContent & { prevHash: string }): string {
  return (
    `{"action":${json(e.action)},"actorEmail":${json(e.actorEmail)},"actorId":${json(e.actorId)},"actorName":${json(e.actorName)}` +
    `,"details":${canonicalJsonText(detailsText(e.details))},"id":${json(e.id)},"ip":${json(e.ip)}` +
    `,"occurredAt":${json(e.occurredAt.toISOString())},"prevHash":${json(e.prevHash)},"requestId":${json(e.requestId)}` +
    `,"seq":"${e.seq.toString()}","targetId":${json(e.targetId)},"targetType":${json(e.targetType)},"ticketId":${json(e.ticketId)}` +
    `,"userAgent":${json(e.userAgent)},"v":2}`
  );
}

/** Rule 2: sha256(canonical text), the previous hash inside it. */
export function auditEventHashV2(prevHash: string, e: AuditEventContent): string {
  return createHash("sha256")
    .update(auditEventTextV2({ ...e, prevHash }), "utf8")
    .digest("hex");
}

export interface ChainedEvent extends AuditEventContent {
  prevHash: string;
  hash: string;
  hashVersion: number;
}

/** The hash an event should have under its own rule. Rule 1 takes parsed details; rule 2, their JSON text. */
export function expectedHash(e: ChainedEvent, prevHash: string = e.prevHash): string {
  if (e.hashVersion === 1) {
    // Rule 1 hashed details as JavaScript parsed them (numbers as doubles).
    const details = JSON.parse(detailsText(e.details)) as unknown;
    return auditEventHash(prevHash, { ...e, details });
  }
  if (e.hashVersion === 2) return auditEventHashV2(prevHash, e);
  throw new Error(`event #${e.seq} has an unknown hash version ${e.hashVersion}`);
}

export type ChainProblem =
  /** A seq is missing (or out of order). */
  | "missing"
  /** prev_hash is not the previous event's hash. */
  | "link"
  /** The stored hash does not match the fields. */
  | "hash";

export type ChainCheck =
  | { ok: true; count: number; lastSeq: bigint; lastHash: string }
  | {
      ok: false;
      count: number;
      brokenAt: bigint;
      problem: ChainProblem;
      /** In words, to follow "The first broken event is #N: ". */
      reason: string;
      /** For "hash": the event as stored, so the caller can say more about what differs. */
      event?: ChainedEvent;
      recomputed?: string;
    };

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
    // Each reason follows "The first broken event is #N: " (./chain-report.ts).
    if (e.seq !== expectedSeq) {
      return {
        ok: false,
        count,
        brokenAt: expectedSeq,
        problem: "missing",
        reason:
          e.seq > expectedSeq
            ? `it is missing: after event #${expectedSeq - 1n} comes #${e.seq}.`
            : `event #${e.seq} comes where it should be (the events are out of order or repeated).`,
      };
    }
    if (e.prevHash !== prev) {
      return {
        ok: false,
        count,
        brokenAt: e.seq,
        problem: "link",
        reason: `it does not point at the previous event's hash (it names ${e.prevHash.slice(0, 12)}…, event #${e.seq - 1n}'s hash is ${prev.slice(0, 12)}…).`,
      };
    }
    const recomputed = safeExpectedHash(e, prev);
    if (recomputed !== e.hash) {
      return {
        ok: false,
        count,
        brokenAt: e.seq,
        problem: "hash",
        reason: "its stored hash does not match its fields.",
        event: e,
        recomputed: recomputed ?? undefined,
      };
    }
    prev = e.hash;
    expectedSeq += 1n;
    count += 1;
  }
  return { ok: true, count, lastSeq: expectedSeq - 1n, lastHash: prev };
}

function safeExpectedHash(e: ChainedEvent, prev: string): string | null {
  try {
    return expectedHash(e, prev);
  } catch {
    // Details that are not JSON, or an unknown version: no hash can match.
    return null;
  }
}
