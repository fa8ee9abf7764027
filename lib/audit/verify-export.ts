import { createHash, type KeyObject } from "node:crypto";
import { isLosslessNumber, parse as parseLossless } from "lossless-json";
import { GENESIS_HASH, verifyChainSegment, type ChainedEvent } from "./chain";
import { resetEventDifferences } from "./reset-event-fields";
import { checkCheckpointSignature, sealText, type SignedCheckpoint } from "./checkpoint";
import { verifyText } from "./signing-key";

/**
 * Verifies a JSON Lines audit export offline, with nothing but the file and
 * the audit signing key's public key(s) (decision 036; the format is
 * described in ./jsonl-export-parts.ts). Every problem found is reported in
 * words; the file verifies only when there is none. Pure: no database, no
 * configuration (`npm run audit:verify-export`, scripts/audit-verify-export.ts).
 */
export interface VerifierKey {
  publicKey: KeyObject;
  keyId: string;
}

export interface ExportVerification {
  ok: boolean;
  /** What is wrong, each in words; empty when the file verifies. */
  problems: string[];
  /** What the verification established (or could not), in words. */
  findings: string[];
  counts: { scopeResets: number; auditEvents: number; checkpoints: number };
  summary: string;
}

type Json = Record<string, unknown>;

interface Line {
  number: number;
  start: number;
  value: Json;
}

const MAX_PROBLEMS = 50;

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (isLosslessNumber(v)) return v.value;
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

export function verifyExport(file: Buffer, keys: readonly VerifierKey[]): ExportVerification {
  const problems: string[] = [];
  const findings: string[] = [];
  const problem = (message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(message);
    else if (problems.length === MAX_PROBLEMS) problems.push("… and more problems (only the first 50 are listed).");
  };

  // Split on newlines, keeping each line's byte offset: the seal covers the bytes before its own line.
  const lines: Line[] = [];
  let start = 0;
  let number = 0;
  while (start < file.length) {
    const end = file.indexOf(10, start);
    const stop = end === -1 ? file.length : end;
    number++;
    const raw = file.subarray(start, stop).toString("utf8");
    if (raw.trim() !== "") {
      try {
        const value = parseLossless(raw);
        if (!value || typeof value !== "object" || Array.isArray(value) || typeof (value as Json).type !== "string") {
          problem(`Line ${number} is not a record with a "type".`);
        } else lines.push({ number, start, value: value as Json });
      } catch {
        problem(`Line ${number} is not valid JSON.`);
      }
    }
    start = stop + 1;
  }
  const counts = { scopeResets: 0, auditEvents: 0, checkpoints: 0 };
  const finish = (): ExportVerification => {
    const ok = problems.length === 0;
    const summary = ok
      ? `Verified: ${counts.scopeResets} reset records, ${counts.auditEvents} audit events and ${counts.checkpoints} signed checkpoints. ${findings.join(" ")}`
      : `NOT verified: ${problems.length} problem${problems.length === 1 ? "" : "s"}. The first: ${problems[0]}`;
    return { ok, problems, findings, counts, summary };
  };

  const header = lines[0];
  if (!header || header.value.type !== "header" || header.value.format !== "scopedesk.audit-export" || text(header.value.version) !== "2") {
    problem("The first line is not the header of a Scopedesk audit export (format scopedesk.audit-export, version 2).");
    return finish();
  }

  // The seal: every byte before its line, unchanged since export.
  const keyById = new Map(keys.map((k) => [k.keyId, k]));
  const last = lines.at(-1)!;
  let body = lines.slice(1);
  if (last.value.type === "seal") {
    body = lines.slice(1, -1);
    const sha256 = createHash("sha256").update(file.subarray(0, last.start)).digest("hex");
    const keyId = text(last.value.keyId) ?? "";
    const key = keyById.get(keyId);
    if (!key) problem(`The file is sealed with key ${keyId}, whose public key was not given: pass it with --public-key.`);
    else if (text(last.value.sha256) !== sha256) {
      problem("The seal does not match the file: a line was changed, removed, added or moved after the export.");
    } else if (!verifyText(key.publicKey, sealText({ sha256, keyId }), text(last.value.signature) ?? "")) {
      problem(`The seal's signature does not verify with key ${keyId}: the seal was not made with the audit signing key.`);
    } else findings.push(`The file is sealed with key ${keyId} and unchanged since it was exported.`);
  } else {
    problem("The file has no seal (it was exported without an audit signing key, or its last line was removed).");
  }

  // Record order: header, scope_reset…, audit_event…, checkpoint…, end.
  const ORDER = ["scope_reset", "audit_event", "checkpoint", "end"];
  let stage = 0;
  for (const l of body) {
    const at = ORDER.indexOf(String(l.value.type));
    if (at === -1) problem(`Line ${l.number} has an unknown type "${String(l.value.type)}".`);
    else if (at < stage)
      problem(`Line ${l.number} (${String(l.value.type)}) is out of place: records go header, resets, events, checkpoints, end.`);
    else stage = at;
  }
  const resets = body.filter((l) => l.value.type === "scope_reset");
  const eventLines = body.filter((l) => l.value.type === "audit_event");
  const checkpointLines = body.filter((l) => l.value.type === "checkpoint");
  const end = body.find((l) => l.value.type === "end");
  counts.scopeResets = resets.length;
  counts.auditEvents = eventLines.length;
  counts.checkpoints = checkpointLines.length;

  if (!end) problem("The end record is missing: the file was cut short.");
  else {
    const declared = { scope_resets: resets.length, audit_events: eventLines.length, checkpoints: checkpointLines.length };
    for (const [field, actual] of Object.entries(declared)) {
      if (text(end.value[field]) !== String(actual)) {
        problem(
          `The end record counts ${text(end.value[field])} ${field.replace("_", " ")} but the file holds ${actual}: records were removed or added.`,
        );
      }
    }
  }

  // Resets in the list's order: newest first, then by id descending.
  for (let i = 1; i < resets.length; i++) {
    const a = resets[i - 1]!.value;
    const b = resets[i]!.value;
    const ka = `${text(a.created_at)}|${text(a.id)}`;
    const kb = `${text(b.created_at)}|${text(b.id)}`;
    if (kb >= ka) problem(`Reset records are out of order at line ${resets[i]!.number}: the export lists them newest first.`);
  }

  // Checkpoints: signatures.
  const checkpoints = checkpointLines.map((l) => ({ line: l.number, c: toCheckpoint(l.value) }));
  for (const { line, c } of checkpoints) {
    const key = keyById.get(c.keyId);
    if (!key) {
      problem(`The checkpoint on line ${line} (event #${c.headSeq}) is signed with key ${c.keyId}, whose public key was not given.`);
      continue;
    }
    if (checkCheckpointSignature(c, key) !== "valid") {
      problem(
        `The checkpoint on line ${line} (event #${c.headSeq}, signed ${text(c.signedAt)}) has a signature that does not verify: it is forged or was altered.`,
      );
    }
  }
  for (let i = 1; i < checkpoints.length; i++) {
    if (BigInt(checkpoints[i]!.c.headSeq) < BigInt(checkpoints[i - 1]!.c.headSeq)) {
      problem(`Checkpoints are out of order at line ${checkpoints[i]!.line}.`);
    }
  }

  // The chain: from its anchor through the covering checkpoint.
  const events = eventLines.map((l) => toEvent(l.value));
  const bySeq = new Map(events.map((e) => [e.seq.toString(), e]));
  if (events.length > 0) {
    const firstSeq = events[0]!.seq;
    let anchorHash: string | null = null;
    if (firstSeq === 1n) anchorHash = GENESIS_HASH;
    else {
      const anchor = checkpoints.find(({ c }) => BigInt(c.headSeq) === firstSeq - 1n);
      if (!anchor) problem(`The first event in the file (#${firstSeq}) follows no signed checkpoint in the file: nothing anchors it.`);
      else anchorHash = anchor.c.headHash;
    }
    if (anchorHash !== null) {
      const check = verifyChainSegment(events, { seq: firstSeq - 1n, hash: anchorHash });
      if (!check.ok) problem(`The first broken event is #${check.brokenAt}: ${check.reason}`);
    }
    for (const { line, c } of checkpoints) {
      const e = bySeq.get(c.headSeq.toString());
      if (e && (e.hash !== c.headHash || e.id !== c.headEventId)) {
        problem(
          `Event #${c.headSeq} is not the one the checkpoint on line ${line} signed: the chain was rewritten after ${text(c.signedAt)}.`,
        );
      }
    }
    const lastEvent = events.at(-1)!;
    const covering = checkpoints.filter(({ c }) => BigInt(c.headSeq) === lastEvent.seq).at(-1);
    if (covering) {
      findings.push(
        `Audit events #${firstSeq} to #${lastEvent.seq} link into one chain ${firstSeq === 1n ? "from the start of the log" : `from the checkpoint at #${firstSeq - 1n}`} to the checkpoint signed ${covering.c.signedAt.toString()} for event #${lastEvent.seq}.`,
      );
    } else {
      problem(`No signed checkpoint in the file covers the last event (#${lastEvent.seq}): the newest events are linked but not signed.`);
    }
  }

  // Each reset against its own audit event.
  for (const r of resets) {
    const v = r.value;
    const id = text(v.id);
    const seq = text(v.audit_seq);
    if (seq === null) {
      problem(`Reset ${id} (line ${r.number}) has no audit event: the audit log does not record it.`);
      continue;
    }
    const e = bySeq.get(seq);
    if (!e) {
      problem(`Reset ${id} (line ${r.number}) names audit event #${seq}, which is not in the file.`);
      continue;
    }
    const details = (e.details ?? {}) as Json;
    const record = {
      outcome: v.outcome,
      accountId: v.account_id,
      ticketId: v.ticket_id,
      actorId: v.actor_id,
      actorName: v.actor_name,
      actorEmail: v.actor_email,
      requestId: v.request_id,
      clientIp: v.client_ip,
      userAgent: v.user_agent,
      added: v.added,
      removed: v.removed,
    };
    const differs = [
      ...((text(id) ?? "") !== (text(details.resetId) ?? "") ? ["id"] : []),
      ...resetEventDifferences(e, details, record, text).map((x) => x.column),
    ];
    if (differs.length > 0) {
      problem(`Reset ${id} (line ${r.number}) differs from its audit event #${seq} in ${differs.join(", ")}.`);
    }
  }
  if (resets.length > 0 && problems.length === 0) findings.push("Every reset record matches its own audit event.");
  return finish();
}

function toCheckpoint(v: Json): SignedCheckpoint {
  return {
    headSeq: text(v.head_seq) ?? "",
    headEventId: text(v.head_event_id) ?? "",
    headHash: text(v.head_hash) ?? "",
    eventCount: text(v.event_count) ?? "",
    signedAt: text(v.signed_at) ?? "",
    keyId: text(v.key_id) ?? "",
    signature: text(v.signature) ?? "",
  };
}

function toEvent(v: Json): ChainedEvent {
  const seqText = text(v.seq) ?? "0";
  const at = new Date(text(v.occurred_at) ?? "");
  return {
    seq: /^\d+$/.test(seqText) ? BigInt(seqText) : 0n,
    id: text(v.id) ?? "",
    // An unreadable time cannot match any hash; Date(0) keeps the hash computable, so it is reported as a mismatch.
    occurredAt: Number.isNaN(at.getTime()) ? new Date(0) : at,
    actorId: text(v.actor_id),
    actorName: text(v.actor_name),
    actorEmail: text(v.actor_email),
    action: text(v.action) ?? "",
    targetType: text(v.target_type),
    targetId: text(v.target_id),
    ticketId: text(v.ticket_id),
    details: v.details ?? {},
    ip: text(v.ip),
    userAgent: text(v.user_agent),
    requestId: text(v.request_id),
    prevHash: text(v.prev_hash) ?? "",
    hash: text(v.hash) ?? "",
    hashVersion: Number(text(v.hash_version) ?? 0),
  };
}
