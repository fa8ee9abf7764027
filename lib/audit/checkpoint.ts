import type { KeyObject } from "node:crypto";
import { signText, verifyText, type AuditSigningKey } from "./signing-key";

/**
 * What a signed checkpoint says (decision 036): "the audit chain had N events
 * and event #N had this hash, at this time, signed with this key". The
 * signature covers this fixed text; the worker makes it, the database stores
 * it (record_audit_checkpoint), and every verifier (the console's "Verify
 * chain", `npm run audit:verify`, `npm run audit:verify-export`) checks it
 * with the public key alone. Pure.
 */
export interface CheckpointFields {
  headSeq: bigint | string;
  headEventId: string;
  headHash: string;
  eventCount: bigint | string;
  /** ISO 8601 with milliseconds, UTC (as stored: timestamptz(3)). */
  signedAt: Date | string;
  keyId: string;
}

export interface SignedCheckpoint extends CheckpointFields {
  signature: string;
}

const iso = (at: Date | string) => (typeof at === "string" ? new Date(at) : at).toISOString();

/** The signed text: canonical JSON, keys in code-point order, numbers as strings. */
export function checkpointText(c: CheckpointFields): string {
  return JSON.stringify({
    count: c.eventCount.toString(),
    headEventId: c.headEventId,
    headHash: c.headHash,
    headSeq: c.headSeq.toString(),
    keyId: c.keyId,
    signedAt: iso(c.signedAt),
    type: "scopedesk.audit-checkpoint",
    v: 1,
  });
}

export function signCheckpoint(key: AuditSigningKey, fields: Omit<CheckpointFields, "keyId">): SignedCheckpoint {
  const withKey = { ...fields, keyId: key.keyId };
  return { ...withKey, signature: signText(key, checkpointText(withKey)) };
}

export type CheckpointSignatureCheck = "valid" | "invalid" | "other_key";

/** Whether a checkpoint's signature is the given key's over exactly its fields; a checkpoint of another key cannot be checked with this one. */
export function checkCheckpointSignature(c: SignedCheckpoint, key: { publicKey: KeyObject; keyId: string }): CheckpointSignatureCheck {
  if (c.keyId !== key.keyId) return "other_key";
  if (String(c.eventCount) !== String(c.headSeq)) return "invalid";
  try {
    return verifyText(key.publicKey, checkpointText(c), c.signature) ? "valid" : "invalid";
  } catch {
    return "invalid";
  }
}

/** The text an export's seal signs: the SHA-256 of every byte of the file before the seal line. */
export function sealText(seal: { sha256: string; keyId: string }): string {
  return JSON.stringify({ keyId: seal.keyId, sha256: seal.sha256, type: "scopedesk.audit-export-seal", v: 1 });
}
