/**
 * POST /v3/recipients/erasejob with 5,000 valid addresses, against a bare
 * Node http server that only parses the same body (bench/bare-server.mjs),
 * in the same run and at the same concurrency.
 */
import { randomUUID } from "node:crypto";
import { generateApiKey } from "../../lib/api-keys/api-key-format";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, normalizeScopes } from "../../lib/scopes/catalog";
import { scopeSetIdFor } from "../../scripts/lib/seed/scope-set-row";
import { startProcess, waitForHttp } from "../../scripts/lib/processes";
import { round, withPg } from "../lib/harness";
import { httpLoad } from "../lib/load";
import type { ScenarioResult } from "./accounts";

const FIRST_BENCH_ID = 90_000_000;

/**
 * Accounts of the benchmark's own, each with one key holding the erase-job
 * scopes. Requests rotate over them so the per-account rate limit (100/min)
 * is checked on every request but never reached.
 */
export async function benchApiKeys(databaseUrl: string, count: number): Promise<string[]> {
  return withPg(databaseUrl, async (client) => {
    const scopes = normalizeScopes([...ADMIN_SCOPES, ...ERASE_JOB_SCOPES]);
    const setId = await scopeSetIdFor(client, scopes);
    await client
      .query(`DELETE FROM erase_job WHERE account_id >= $1 AND account_id < $1 + 100000`, [FIRST_BENCH_ID])
      .catch(() => undefined);
    await client.query(`DELETE FROM api_key WHERE account_id >= $1 AND account_id < $1 + 100000`, [FIRST_BENCH_ID]);
    // The accounts of an earlier run are kept (deleting them checks every table that refers to an account, minutes at 1M).
    await client.query(
      `INSERT INTO account (id, username, email, signed_up_at, scope_set_id)
       SELECT id, 'bench-' || id, 'bench-' || id || '@bench.example', '2024-06-01', $3 FROM generate_series($1::int, $2::int) id
       ON CONFLICT (id) DO UPDATE SET scope_set_id = EXCLUDED.scope_set_id`,
      [FIRST_BENCH_ID, FIRST_BENCH_ID + count - 1, setId],
    );
    const keys = Array.from({ length: count }, (_, i) => ({ accountId: FIRST_BENCH_ID + i, ...generateApiKey() }));
    await client.query(
      `INSERT INTO api_key (id, account_id, name, scope_set_id, secret_hash)
       SELECT k.id, k.account_id, 'bench', $2, k.hash FROM jsonb_to_recordset($1::jsonb) AS k(id text, account_id int, hash text)`,
      [JSON.stringify(keys.map((k) => ({ id: k.id, account_id: k.accountId, hash: k.hash }))), setId],
    );
    await client.query("ANALYZE account, api_key");
    return keys.map((k) => k.plaintext);
  });
}

/** The erasure limit with the app removed: bare Node parsing the body and inserting the same erase_job row. */
export const ERASURE_STORE_SCENARIO = "bare Node parsing the body and storing the row (no app)";

export function erasureBody(): string {
  const addresses = Array.from({ length: 5000 }, (_, i) => `recipient.${i}.${randomUUID().slice(0, 8)}@customer-${i % 97}.example`);
  return JSON.stringify({ email_addresses: addresses });
}

export async function erasureScenario(input: {
  baseUrl: string;
  databaseUrl: string;
  barePort: number;
  durationSeconds: number;
  concurrencies: number[];
  /** The app's server process, for CPU per request. */
  appPid?: number;
}): Promise<ScenarioResult[]> {
  const keys = await benchApiKeys(input.databaseUrl, 3000);
  const body = erasureBody();
  const bare = startProcess("bare", process.execPath, ["bench/bare-server.mjs", String(input.barePort)], { quiet: true });
  // The same, storing the row as the app does: what any erasure request costs with the app removed.
  const storePort = input.barePort + 2;
  const store = startProcess("bare-store", process.execPath, ["bench/bare-server.mjs", String(storePort), input.databaseUrl], {
    quiet: true,
  });
  try {
    await waitForHttp(`http://127.0.0.1:${input.barePort}/`, 10_000, () => true);
    await waitForHttp(`http://127.0.0.1:${storePort}/`, 10_000, () => true);
    const results: ScenarioResult[] = [];
    for (const concurrency of input.concurrencies) {
      const common = { method: "POST" as const, body, connections: concurrency, durationSeconds: input.durationSeconds, warmupSeconds: 2 };
      const app = await httpLoad({
        ...common,
        baseUrl: input.baseUrl,
        paths: ["/v3/recipients/erasejob"],
        headers: { "content-type": "application/json" },
        headersFor: (i) => ({ authorization: `Bearer ${keys[i % keys.length]}` }),
        cpuOfPid: input.appPid,
      });
      const limit = await httpLoad({
        ...common,
        baseUrl: `http://127.0.0.1:${input.barePort}`,
        paths: ["/"],
        headers: { "content-type": "application/json" },
      });
      const stored = await httpLoad({
        ...common,
        baseUrl: `http://127.0.0.1:${storePort}`,
        paths: ["/"],
        headers: { "content-type": "application/json" },
        cpuOfPid: store.pid,
      });
      // Here the ratio that matters is throughput: app ÷ bare Node.
      const ofBare = (throughput: number) => round(throughput / Math.max(limit.throughput, 0.01), 2);
      results.push({
        scenario: "POST /v3/recipients/erasejob (5,000 addresses)",
        concurrency,
        app,
        limit,
        cpu: app.cpu,
        ratio: ofBare(app.throughput),
      });
      results.push({
        scenario: ERASURE_STORE_SCENARIO,
        concurrency,
        app: stored,
        limit,
        cpu: stored.cpu,
        ratio: ofBare(stored.throughput),
      });
    }
    return results;
  } finally {
    bare.kill("SIGTERM");
    store.kill("SIGTERM");
  }
}
