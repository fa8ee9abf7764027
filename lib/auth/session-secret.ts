import { createHash, randomBytes } from "node:crypto";

/**
 * A staff session is named by a random secret that lives only inside the
 * encrypted session token; the database keeps its SHA-256, so reading the
 * staff_session table gives nobody a session (decision 013).
 */
export const SESSION_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** 256 random bits, base64url (43 characters). */
export function newSessionSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** The staff_session id of a session secret. */
export function sessionKeyOf(sessionSecret: string): string {
  return createHash("sha256").update(sessionSecret).digest("hex");
}

/** How the audit log names a session: enough to match a sign-in to its sign-out (the key itself is no credential either). */
export function sessionReference(sessionKey: string): string {
  return sessionKey.slice(0, 16);
}
