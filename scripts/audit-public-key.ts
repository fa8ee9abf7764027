/**
 * `npm run audit:public-key`: prints the public half of AUDIT_SIGNING_KEY (PEM)
 * and its key id, for whoever verifies checkpoints and exports
 * (`npm run audit:verify-export`). `--out <file>` writes the PEM to a file.
 * Reads only the configuration; needs no database.
 */
import { writeFileSync } from "node:fs";
import { publicKeyPem } from "../lib/audit/signing-key";
import { ConfigError, getConfig } from "../lib/platform/config";
import { loadDotEnv } from "./lib/env";

loadDotEnv();
const args = process.argv.slice(2);
const out = args.find((a) => a.startsWith("--out="))?.slice(6) ?? (args.includes("--out") ? args[args.indexOf("--out") + 1] : undefined);
try {
  const key = getConfig().audit.signingKey;
  if (!key) {
    console.error("AUDIT_SIGNING_KEY is not set: there is no audit signing key to publish.");
    process.exit(1);
  }
  const pem = publicKeyPem(key);
  if (out) {
    writeFileSync(out, pem);
    console.error(`public key ${key.keyId} written to ${out}`);
  } else {
    console.error(`# audit signing key id ${key.keyId}`);
    process.stdout.write(pem);
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : (error as Error).message);
  process.exit(2);
}
