import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API keys look like SendGrid's: "SG.<22-char id>.<43-char secret>". Only a
 * SHA-256 of the whole key is stored; the id locates the row.
 */
const KEY_PATTERN = /^SG\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function hashApiKey(plaintext: string): string {
  return createHash("sha256").update(plaintext, "utf8").digest("hex");
}

export function parseApiKey(plaintext: string): { id: string } | null {
  const match = KEY_PATTERN.exec(plaintext);
  return match ? { id: match[1]! } : null;
}

/** Compares a presented key with a stored hash in constant time. */
export function apiKeyMatches(plaintext: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(plaintext), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function generateApiKey(): { id: string; plaintext: string; hash: string } {
  const id = randomBytes(17).toString("base64url").slice(0, 22);
  const plaintext = `SG.${id}.${randomBytes(33).toString("base64url").slice(0, 43)}`;
  return { id, plaintext, hash: hashApiKey(plaintext) };
}
