/**
 * `npm run audit:verify`: walks the audit log's hash chain from the first
 * event to the chain head, checks the signed checkpoints, and prints "Intact
 * through event #N…" (exit 0) or the first broken event and what differs
 * (exit 1). DATABASE_URL selects the database (default: the
 * demo's). Runs under tsx with the "react-server" condition so the
 * server-only verifier (lib/audit/verify-audit-chain.ts, shared with the tests) loads.
 */
import { getConfig } from "../lib/platform/config";
import { disconnectDb } from "../lib/platform/db";
import { verifyAuditChain } from "../lib/audit/verify-audit-chain";
import { loadDotEnv } from "./lib/env";

loadDotEnv();
getConfig(); // fail fast on a bad configuration
const started = performance.now();
let code = 0;
try {
  const report = await verifyAuditChain({
    batchSize: 10_000,
    onProgress: (n, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${n.toLocaleString("en")} of ${total.toLocaleString("en")} events checked…`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (report.ok) console.log(`${report.summary} (${seconds} s)`);
  else {
    console.error(`chain BROKEN: ${report.summary} (${seconds} s)`);
    code = 1;
  }
} catch (error) {
  console.error(`audit:verify could not run: ${error instanceof Error ? error.message : String(error)}`);
  code = 2;
} finally {
  await disconnectDb();
}
process.exit(code);
