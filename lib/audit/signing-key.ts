import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";

/**
 * The audit log's signing key (decision 036): Ed25519, from AUDIT_SIGNING_KEY
 * as a PKCS#8 PEM (the text, or base64 of it, or base64 of the DER). The
 * worker signs checkpoints of the chain with it, the export seals its files;
 * verifiers need only the public key (`npm run audit:public-key`). No key is
 * built in: production refuses to start without one, the demo makes one per
 * machine and `npm test` one per run (as with AUTH_SECRET).
 */
export interface AuditSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** First 16 hex digits of the SHA-256 of the public key (SPKI DER): names the key in every signature. */
  keyId: string;
}

export const AUDIT_SIGNING_KEY_HINT =
  "Make one with `openssl genpkey -algorithm ed25519 | base64 -w0` and set it as AUDIT_SIGNING_KEY (the PKCS#8 PEM, or that PEM in base64).";

export class SigningKeyError extends Error {
  override name = "SigningKeyError";
}

/** Parses AUDIT_SIGNING_KEY; throws SigningKeyError saying what is wrong (never echoing the key). */
export function parseAuditSigningKey(raw: string): AuditSigningKey {
  const text = raw.trim().replace(/\\n/g, "\n");
  let privateKey: KeyObject;
  try {
    if (text.startsWith("-----BEGIN")) privateKey = createPrivateKey({ key: text, format: "pem" });
    else {
      const bytes = Buffer.from(text, "base64");
      const decoded = bytes.toString("utf8");
      privateKey = decoded.startsWith("-----BEGIN")
        ? createPrivateKey({ key: decoded, format: "pem" })
        : createPrivateKey({ key: bytes, format: "der", type: "pkcs8" });
    }
  } catch {
    throw new SigningKeyError(`is not a PKCS#8 private key. ${AUDIT_SIGNING_KEY_HINT}`);
  }
  if (privateKey.asymmetricKeyType !== "ed25519") {
    throw new SigningKeyError(
      `must be an Ed25519 key (got ${privateKey.asymmetricKeyType ?? "an unknown kind"}). ${AUDIT_SIGNING_KEY_HINT}`,
    );
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest("hex")
    .slice(0, 16);
}

/** A public key for verifiers: SPKI PEM text, or a file's contents. Throws when it is not an Ed25519 public key. */
export function parsePublicKey(text: string): { publicKey: KeyObject; keyId: string } {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: text.trim(), format: "pem" });
  } catch {
    throw new SigningKeyError("is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  }
  if (publicKey.asymmetricKeyType !== "ed25519") throw new SigningKeyError("is not an Ed25519 public key");
  return { publicKey, keyId: keyIdOf(publicKey) };
}

export function publicKeyPem(key: Pick<AuditSigningKey, "publicKey">): string {
  return key.publicKey.export({ type: "spki", format: "pem" }).toString();
}

/** A fresh key as PKCS#8 PEM (the demo's per-machine key, the test runner's per-run key). */
export function generateAuditSigningKeyPem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

/** Ed25519 signature of a UTF-8 text, base64. */
export function signText(key: Pick<AuditSigningKey, "privateKey">, text: string): string {
  return sign(null, Buffer.from(text, "utf8"), key.privateKey).toString("base64");
}

export function verifyText(publicKey: KeyObject, text: string, signature: string): boolean {
  // Strictly 64 bytes of base64: Buffer.from would quietly skip stray characters.
  if (!/^[A-Za-z0-9+/]{86}==$/.test(signature)) return false;
  const bytes = Buffer.from(signature, "base64");
  if (bytes.length !== 64) return false;
  return verify(null, Buffer.from(text, "utf8"), publicKey, bytes);
}
