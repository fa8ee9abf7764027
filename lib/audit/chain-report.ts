import { expectedHash, type ChainedEvent } from "./chain";
import { resetEventDifferences, type ResetRecordFacts } from "./reset-event-fields";

export type { ResetRecordFacts };

/**
 * The result of verifying the audit chain, in words a lead can act on
 * (decision 036): "intact through event #N", or the first broken event and
 * what differs, as far as the log itself (and the reset record it describes)
 * can tell. Pure: the verifiers (./verify-audit-chain.ts, ./verify-export.ts)
 * gather the facts, this says them.
 */
export type ChainProblemKind =
  /** A seq is missing or out of order. */
  | "missing"
  /** An event's prev_hash is not the previous event's hash. */
  | "link"
  /** An event's stored hash does not match its fields. */
  | "hash"
  /** The chain head does not point at the last event. */
  | "head"
  /** A signed checkpoint's hash differs from the event it names: the chain was rewritten after it was signed. */
  | "checkpoint"
  /** A checkpoint's signature does not verify with the audit signing key. */
  | "signature";

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The event (or, for "signature", the checkpoint's head event) it concerns. */
  seq: string;
  message: string;
  /** What differs, field by field where that can be known. */
  differences: string[];
}

export interface CheckpointSummary {
  count: number;
  /** Checkpoints whose hash matches the event they name and whose signature verifies. */
  matching: number;
  /** Signed with another key than the configured one: their hash is checked, their signature cannot be here. */
  otherKey: number;
  newest: { headSeq: string; signedAt: string; keyId: string } | null;
  keyConfigured: boolean;
}

export interface ChainReport {
  ok: boolean;
  /** Events verified, in seq order, before the first problem (all of them when ok). */
  eventsChecked: number;
  /** The last event of the intact part; null when even event #1 is broken or the log is empty. */
  intactThrough: string | null;
  headSeq: string;
  problem: ChainProblem | null;
  checkpoints: CheckpointSummary;
  summary: string;
}

const n = (x: number | string) => Number(x).toLocaleString("en");

export function summarize(report: Omit<ChainReport, "summary">): string {
  const cp = report.checkpoints;
  const signed =
    cp.count === 0
      ? cp.keyConfigured
        ? "No signed checkpoint yet (the worker signs one every few minutes)."
        : "No signed checkpoint: no signing key is configured (AUDIT_SIGNING_KEY)."
      : `Signed checkpoints: ${n(cp.matching)} of ${n(cp.count)} verified` +
        (cp.otherKey > 0
          ? ` (${n(cp.otherKey)} signed with another key: their hashes match, their signatures need that key's public key)`
          : "") +
        (cp.newest
          ? `; the newest covers event #${cp.newest.headSeq}, signed ${cp.newest.signedAt.replace("T", " ").slice(0, 19)} UTC.`
          : ".");
  if (report.ok) {
    if (report.intactThrough === null) return "The audit log is empty: nothing to verify yet.";
    return `Intact through event #${report.intactThrough}: all ${n(report.eventsChecked)} events match their hashes and links, and the chain head points at the last one. ${signed}`;
  }
  const p = report.problem!;
  const before =
    report.intactThrough === null
      ? "No event before it could be verified."
      : `Events #1 to #${report.intactThrough} verify (${n(report.eventsChecked)} events).`;
  const detail = p.differences.length > 0 ? ` ${p.differences.join(" ")}` : "";
  if (p.kind === "signature") return `The chain verifies through event #${report.intactThrough ?? "0"}, but ${p.message}${detail}`;
  return `The first broken event is #${p.seq}: ${p.message}${detail} ${before}`;
}

function parsedDetails(e: ChainedEvent): Record<string, unknown> {
  try {
    const value = typeof e.details === "string" ? (JSON.parse(e.details) as unknown) : e.details;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const quote = (v: unknown) => (v === null || v === undefined ? "empty" : `"${String(v).slice(0, 80)}"`);

/**
 * What can be said about an event whose stored hash does not match its fields:
 * whether its successor still points at the stored hash (so the fields were
 * changed, not the hash), whether the hash matches under the other hash rule
 * (hash_version changed), and, for a reset's event, which fields differ from
 * the reset record.
 */
export function describeHashMismatch(input: {
  event: ChainedEvent;
  recomputed: string | null;
  /** prev_hash of the next event, when there is one. */
  nextPrevHash: string | null;
  reset: ResetRecordFacts | null;
}): string[] {
  const { event: e, recomputed, nextPrevHash, reset } = input;
  const out: string[] = [];
  if (nextPrevHash !== null) {
    if (nextPrevHash === e.hash) {
      out.push(`Event #${e.seq + 1n} still points at its stored hash, so its fields were changed after it was written (its hash was not).`);
    } else if (recomputed !== null && nextPrevHash === recomputed) {
      out.push(`Event #${e.seq + 1n} points at the hash its fields give, so its stored hash was changed (its fields were not).`);
    } else {
      out.push(`Event #${e.seq + 1n} points at neither its stored hash nor the one its fields give.`);
    }
  }
  const otherVersion = e.hashVersion === 1 ? 2 : 1;
  try {
    if (expectedHash({ ...e, hashVersion: otherVersion }) === e.hash) {
      out.push(`Its hash_version was changed: the stored hash matches hash rule ${otherVersion}, the row says ${e.hashVersion}.`);
    }
  } catch {
    // not computable under the other rule
  }
  if (reset) {
    const d = parsedDetails(e);
    const differs = resetEventDifferences(e, d, reset).map((x) =>
      x.list
        ? `${x.label} scopes are [${(x.inEvent as unknown[]).join(", ")}] in the log but [${(x.inRecord as unknown[]).join(", ")}] in the reset record`
        : `${x.label} is ${quote(x.inEvent)} in the log but ${quote(x.inRecord)} in the reset record`,
    );
    out.push(
      differs.length > 0
        ? `Compared with the reset record it describes: ${differs.join("; ")}.`
        : "Its fields still agree with the reset record it describes, so a field the record does not hold was changed (the time, the details or the event id).",
    );
  }
  return out;
}
