import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { generateAuditSigningKeyPem } from "../../lib/audit/signing-key";

/**
 * The demo's session secret: made once per machine (per user), kept outside
 * the repository in $XDG_STATE_HOME/scopedesk/demo-auth-secret (default
 * ~/.local/state/scopedesk/demo-auth-secret, readable by its owner only) and
 * reused, so demo sessions survive restarts and no secret is ever committed.
 */
export function demoSecretPath(env: Record<string, string | undefined> = process.env): string {
  const stateHome = env.XDG_STATE_HOME || path.join(homedir(), ".local", "state");
  return path.join(stateHome, "scopedesk", "demo-auth-secret");
}

export function demoAuthSecret(file = demoSecretPath()): { secret: string; file: string; created: boolean } {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // "wx": only the first of two demos started at once writes it.
    writeFileSync(file, `${randomBytes(32).toString("base64url")}\n`, { flag: "wx", mode: 0o600 });
    return { secret: readSecret(file), file, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { secret: readSecret(file), file, created: false };
  }
}

function readSecret(file: string): string {
  const secret = readFileSync(file, "utf8").trim();
  if (secret.length < 32)
    throw new Error(`${file} does not hold a session secret of 32+ characters: delete it and the demo makes a new one.`);
  return secret;
}

/**
 * The demo's audit signing key (decision 036), like its session secret: an
 * Ed25519 key made once per machine in $XDG_STATE_HOME/scopedesk/demo-audit-signing-key.pem
 * (mode 600), never in the repository. Returns it base64-encoded, as AUDIT_SIGNING_KEY takes it.
 */
export function demoAuditSigningKey(file = path.join(path.dirname(demoSecretPath()), "demo-audit-signing-key.pem")): {
  key: string;
  file: string;
  created: boolean;
} {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let created = true;
  try {
    writeFileSync(file, generateAuditSigningKeyPem(), { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    created = false;
  }
  return { key: Buffer.from(readFileSync(file, "utf8")).toString("base64"), file, created };
}
