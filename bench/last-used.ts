/**
 * `npm run bench:last-used`: what keeping `api_key.last_used_at` costs /v3
 * authentication (issue 22). The statement of
 * lib/api-keys/authenticate-api-key.ts straight through `pg`, three ways,
 * alternately, so the machine's noise falls on all of them:
 *
 *  - before: find the key, count the rate limit (no last use kept);
 *  - inline: the same statement also sets last_used_at when it is more than
 *    a minute old (the first way tried);
 *  - batched: the statement reads last_used_at, and a key not used within
 *    the minute is written afterwards, all of a round's keys in one UPDATE
 *    (lib/api-keys/record-key-use.ts flushes once a second; a round lasts
 *    about that long), its time counted in the round's.
 *
 * Two workloads:
 *
 *  - cold: every request is its key's first in the minute (last_used_at
 *    cleared before each round): the worst case, one row update per request;
 *  - hot: one key again and again: at most one update a minute.
 *
 * At 1 and 8 clients. Database: BENCH_DATABASE_URL (local, never the demo or
 * test one), seeded with SEED_ACCOUNTS (default 20,000) when empty.
 * `--rounds=` (default 6), `--requests=` per round and variant (default 2,000).
 */
import pg from "pg";
import { generateApiKey, hashApiKey } from "../lib/api-keys/api-key-format";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, normalizeScopes } from "../lib/scopes/catalog";
import { scopeSetIdFor } from "../scripts/lib/seed/scope-set-row";
import { loadDotEnv } from "../scripts/lib/env";
import { DEFAULT_BENCH_DATABASE_URL, prepareBenchDatabase, withPg, writeResults } from "./lib/harness";
import { ensureSeeded } from "./reset";

loadDotEnv();
const databaseUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_DATABASE_URL;
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const ROUNDS = arg("rounds", 6);
const REQUESTS = arg("requests", 2000);
const KEYS = 4000;
const FIRST_ID = 91_000_000;

const RATE_LIMIT = `
    INSERT INTO api_rate_limit AS r (bucket, window_start, count)
    SELECT b.bucket, to_timestamp(floor(extract(epoch FROM now()) / 60) * 60), 1
    FROM (SELECT 'account:' || k.account_id FROM k WHERE k.secret_hash = $2) AS b(bucket)
    ON CONFLICT (bucket, window_start) DO UPDATE SET count = r.count + 1
    RETURNING r.count, ceil(extract(epoch FROM r.window_start + make_interval(secs => 60) - now()))::int AS reset`;
const KEY = `
    SELECT k.id, k.secret_hash, k.account_id, a.parent_id, a.username,
           k.scope_set_id AS key_scope_set_id, a.scope_set_id AS account_scope_set_id,
           p.username AS parent_username, p.scope_set_id AS parent_scope_set_id
    FROM api_key k JOIN account a ON a.id = k.account_id LEFT JOIN account p ON p.id = a.parent_id
    WHERE k.id = $1`;
const BEFORE = `WITH k AS (${KEY}), hit AS (${RATE_LIMIT}) SELECT k.*, hit.count, hit.reset FROM k LEFT JOIN hit ON true`;
const BATCHED = BEFORE.replace("SELECT k.id, k.secret_hash,", "SELECT k.id, k.secret_hash, k.last_used_at,");
const FLUSH = `UPDATE api_key k SET last_used_at = u.at FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
  WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`;
const INLINE = `WITH k AS (${KEY}), hit AS (${RATE_LIMIT}), used AS (
      UPDATE api_key SET last_used_at = now()
      WHERE id = $1 AND secret_hash = $2 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
      RETURNING 1
    ) SELECT k.*, hit.count, hit.reset FROM k LEFT JOIN hit ON true`;

interface Key {
  id: string;
  hash: string;
}

async function benchKeys(): Promise<Key[]> {
  return withPg(databaseUrl, async (client) => {
    const setId = await scopeSetIdFor(client, normalizeScopes([...ADMIN_SCOPES, ...ERASE_JOB_SCOPES]));
    await client.query(`DELETE FROM api_key WHERE account_id >= $1 AND account_id < $1 + 100000`, [FIRST_ID]);
    await client.query(
      `INSERT INTO account (id, username, email, signed_up_at, scope_set_id)
       SELECT g, 'last-used-' || g, 'last-used-' || g || '@bench.example', '2024-01-01', $3 FROM generate_series($1::int, $2::int) g
       ON CONFLICT (id) DO NOTHING`,
      [FIRST_ID, FIRST_ID + KEYS - 1, setId],
    );
    const keys = Array.from({ length: KEYS }, (_, i) => ({ accountId: FIRST_ID + i, ...generateApiKey() }));
    await client.query(
      `INSERT INTO api_key (id, account_id, name, scope_set_id, secret_hash)
       SELECT k.id, k.account_id, 'bench', $2, k.hash FROM jsonb_to_recordset($1::jsonb) AS k(id text, account_id int, hash text)`,
      [JSON.stringify(keys.map((k) => ({ id: k.id, account_id: k.accountId, hash: k.hash }))), setId],
    );
    await client.query("ANALYZE account, api_key");
    return keys.map((k) => ({ id: k.id, hash: hashApiKey(k.plaintext) }));
  });
}

type Workload = "cold" | "hot";

type Variant = "before" | "inline" | "batched";
const SQL: Record<Variant, string> = { before: BEFORE, inline: INLINE, batched: BATCHED };

/** `requests` statements over `clients` connections (and for `batched`, the flush after them); per-statement times in ms and the wall time. */
async function round(
  pool: pg.Pool,
  variant: Variant,
  keys: Key[],
  workload: Workload,
  clients: number,
): Promise<{ times: number[]; seconds: number }> {
  const sql = SQL[variant];
  if (workload === "cold")
    await pool.query(`UPDATE api_key SET last_used_at = NULL WHERE account_id >= $1 AND account_id < $1 + 100000`, [FIRST_ID]);
  // The rate limit is 100 a minute per account: cold requests each use another key's account; hot ones share one.
  await pool.query(`DELETE FROM api_rate_limit WHERE bucket LIKE 'account:91%'`);
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  const noted = new Map<string, Date>();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (;;) {
        const i = next++;
        if (i >= REQUESTS) return;
        const key = workload === "cold" ? keys[i % keys.length]! : keys[0]!;
        const t = performance.now();
        const { rows } = await pool.query<{ last_used_at: Date | null }>(sql, [key.id, key.hash]);
        times.push(performance.now() - t);
        const last = rows[0]?.last_used_at;
        if (variant === "batched" && (!last || Date.now() - last.getTime() >= 60_000) && !noted.has(key.id)) noted.set(key.id, new Date());
      }
    }),
  );
  if (noted.size > 0) await pool.query(FLUSH, [[...noted.keys()], [...noted.values()].map((d) => d.toISOString())]);
  return { times, seconds: (performance.now() - started) / 1000 };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

await prepareBenchDatabase(databaseUrl);
await ensureSeeded(databaseUrl, Number(process.env.SEED_ACCOUNTS ?? 20_000));
const keys = await benchKeys();
const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
const rows: { workload: Workload; clients: number; variant: Variant; p50: number; p95: number; perSecond: number }[] = [];
try {
  for (const workload of ["cold", "hot"] as const) {
    for (const clients of [1, 8]) {
      const variants: Variant[] = ["before", "inline", "batched"];
      const all = Object.fromEntries(variants.map((v) => [v, { times: [] as number[], seconds: 0 }]));
      // Warm-up, then each round in another order.
      await round(pool, "inline", keys, workload, clients);
      for (let r = 0; r < ROUNDS; r++) {
        for (let j = 0; j < variants.length; j++) {
          const variant = variants[(r + j) % variants.length]!;
          const result = await round(pool, variant, keys, workload, clients);
          all[variant]!.times.push(...result.times);
          all[variant]!.seconds += result.seconds;
        }
      }
      for (const variant of variants) {
        const sorted = [...all[variant]!.times].sort((a, b) => a - b);
        rows.push({
          workload,
          clients,
          variant,
          p50: Number(pct(sorted, 50).toFixed(3)),
          p95: Number(pct(sorted, 95).toFixed(3)),
          perSecond: Math.round(sorted.length / all[variant]!.seconds),
        });
      }
    }
  }
} finally {
  await pool.end();
}

const get = (w: Workload, c: number, v: Variant) => rows.find((r) => r.workload === w && r.clients === c && r.variant === v)!;
const lines = [
  `# /v3 authentication with last_used_at, ${new Date().toISOString().slice(0, 10)} (one machine, one day)`,
  "",
  `The authentication statement straight through pg, ${ROUNDS} rounds of ${REQUESTS} statements per way, the ways in turn. before: key + rate limit; inline: … + last_used_at in the same statement when over a minute old; batched: the statement reads last_used_at, one UPDATE per round writes the keys to note (its time counted). cold: every statement its key's first in the minute; hot: one key.`,
  "",
  "| workload | clients | before p50 / p95 ms, /s | inline p50 / p95 ms, /s (÷ before) | batched p50 / p95 ms, /s (÷ before) |",
  "|---|---|---|---|---|",
  ...(["cold", "hot"] as const).flatMap((w) =>
    [1, 8].map((c) => {
      const [b, i, a] = (["before", "inline", "batched"] as const).map((v) => get(w, c, v));
      const cell = (x: (typeof rows)[number]) => `${x.p50} / ${x.p95}, ${x.perSecond}`;
      return `| ${w} | ${c} | ${cell(b!)} | ${cell(i!)} (${(i!.perSecond / b!.perSecond).toFixed(2)}) | ${cell(a!)} (${(a!.perSecond / b!.perSecond).toFixed(2)}) |`;
    }),
  ),
  "",
];
const paths = writeResults("last-used", rows, lines.join("\n"));
console.log(`\n${lines.join("\n")}\nwritten to ${paths.mdPath}`);
process.exit(0);
