/**
 * `npm run audit:verify-export -- scope-resets.jsonl --public-key audit-signing-key.pub.pem`:
 * verifies a JSON Lines audit export offline, with no database and no
 * configuration: the seal, the signed checkpoints, the chain of audit events
 * and each reset against its event (lib/audit/verify-export.ts, decision 036).
 * Give --public-key once per key that signed something in the file (after a
 * key rotation, the old one too). Exit 0: verified; 1: a problem was found
 * (each is printed); 2: it could not run (a missing file or key).
 */
import { readFileSync } from "node:fs";
import { parsePublicKey, SigningKeyError } from "../lib/audit/signing-key";
import { verifyExport, type VerifierKey } from "../lib/audit/verify-export";

const USAGE = "usage: npm run audit:verify-export -- <export.jsonl> --public-key <key.pem> [--public-key <older-key.pem> …]";

function main(args: string[]): number {
  const files: string[] = [];
  const keyFiles: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--public-key") keyFiles.push(args[++i] ?? "");
    else if (arg.startsWith("--public-key=")) keyFiles.push(arg.slice("--public-key=".length));
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      return 0;
    } else files.push(arg);
  }
  if (files.length !== 1 || keyFiles.length === 0 || keyFiles.some((f) => f === "")) {
    console.error(USAGE);
    return 2;
  }
  const keys: VerifierKey[] = [];
  for (const file of keyFiles) {
    try {
      keys.push(parsePublicKey(readFileSync(file, "utf8")));
    } catch (error) {
      console.error(`${file}: ${error instanceof SigningKeyError ? error.message : (error as Error).message}`);
      return 2;
    }
  }
  let contents: Buffer;
  try {
    contents = readFileSync(files[0]!);
  } catch (error) {
    console.error(`${files[0]}: ${(error as Error).message}`);
    return 2;
  }
  const result = verifyExport(contents, keys);
  if (result.ok) {
    console.log(result.summary);
    return 0;
  }
  console.error(`${files[0]}: NOT verified`);
  for (const p of result.problems) console.error(`  - ${p}`);
  if (result.findings.length > 0) console.error(`What did verify: ${result.findings.join(" ")}`);
  return 1;
}

process.exit(main(process.argv.slice(2)));
