/**
 * Server-only: node:crypto must not reach client bundles, so this is kept
 * apart from ./catalog.ts. Matches scope_set.fingerprint in the database.
 */
import { createHash } from "node:crypto";
import { normalizeScopes } from "./catalog";

/** Hex sha256 of the normalised scopes joined by "\n"; equal sets give equal fingerprints whatever their order. */
export function scopeSetFingerprint(scopes: Iterable<string>): string {
  return createHash("sha256").update(normalizeScopes(scopes).join("\n"), "utf8").digest("hex");
}
