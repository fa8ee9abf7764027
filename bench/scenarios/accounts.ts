/**
 * Lookup and account-page scenarios, each next to its limit: the same SQL run
 * straight through `pg` (what the database alone costs), at the same concurrency.
 */
import pg from "pg";
import { closedLoop, withPg, type LatencySummary } from "../lib/harness";
import { httpLoad } from "../lib/load";

export interface Sample {
  ids: number[];
  usernames: string[];
  emails: string[];
  prefixes: string[];
}

/** Real values from the database, spread over the id range, so the cache is not one hot row. */
export async function sampleAccounts(databaseUrl: string, n = 500): Promise<Sample> {
  return withPg(databaseUrl, async (c) => {
    let { rows } = await c.query<{ id: number; username: string; email: string }>(
      `SELECT id, username, email FROM account TABLESAMPLE SYSTEM (1) WHERE parent_id IS NULL AND id < 90000000 LIMIT $1`,
      [n],
    );
    // A small database has too few pages for a 1 % page sample.
    if (rows.length < n / 2) {
      ({ rows } = await c.query(`SELECT id, username, email FROM account WHERE parent_id IS NULL AND id < 90000000 ORDER BY random() LIMIT $1`, [n]));
    }
    if (rows.length === 0) throw new Error("the benchmark database has no accounts to look up");
    return {
      ids: rows.map((r) => r.id),
      usernames: rows.map((r) => r.username),
      emails: rows.map((r) => r.email),
      prefixes: rows.map((r) => r.username.slice(0, Math.max(3, Math.min(6, r.username.length - 1))).toLowerCase()),
    };
  });
}

const SUMMARY_COLUMNS = `a.id, a.username, a.email, a.company, a.region::text AS region, a.signed_up_at, a.parent_id, s.has_erase_job`;

/** The statements searchAccounts issues for each kind of query (lib/server/accounts.ts). */
export const DIRECT_SEARCH: Record<string, (value: string) => { text: string; values: unknown[] }[]> = {
  id: (v) => [
    { text: `SELECT ${SUMMARY_COLUMNS} FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE a.id = $1`, values: [Number(v)] },
    { text: `SELECT ${SUMMARY_COLUMNS} FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE lower(a.username) = $1`, values: [v] },
    prefixQuery(v),
  ],
  username: (v) => [
    { text: `SELECT ${SUMMARY_COLUMNS} FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE lower(a.username) = $1`, values: [v.toLowerCase()] },
    prefixQuery(v.toLowerCase()),
  ],
  email: (v) => [
    { text: `SELECT ${SUMMARY_COLUMNS} FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE lower(a.username) = $1`, values: [v.toLowerCase()] },
    {
      text: `SELECT ${SUMMARY_COLUMNS} FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE lower(a.email) = $1 ORDER BY a.parent_id NULLS FIRST, a.id LIMIT 50`,
      values: [v.toLowerCase()],
    },
    prefixQuery(v.toLowerCase()),
  ],
  prefix: (v) => [
    { text: `SELECT ${SUMMARY_COLUMNS} FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE lower(a.username) = $1`, values: [v] },
    prefixQuery(v),
  ],
};

function prefixQuery(v: string) {
  return {
    text: `SELECT ${SUMMARY_COLUMNS}, lower(a.username) AS username_lower FROM account a JOIN scope_set s ON s.id = a.scope_set_id
           WHERE lower(a.username) LIKE $1 ESCAPE '\\' AND lower(a.username) ~>~ '' ORDER BY lower(a.username) USING ~<~ LIMIT 21`,
    values: [`${v.replace(/[\\%_]/g, (m) => `\\${m}`)}%`],
  };
}

/** What GET /api/accounts/{id} reads (account with parent and subuser count, subusers, keys, history, erase jobs). */
export function directAccountDetail(id: number): { text: string; values: unknown[] }[] {
  return [
    {
      text: `SELECT a.*, s.scopes, s.fingerprint, p.id AS p_id, p.username AS p_username, p.email AS p_email,
                    (SELECT count(*) FROM account c WHERE c.parent_id = a.id) AS subusers
             FROM account a JOIN scope_set s ON s.id = a.scope_set_id LEFT JOIN account p ON p.id = a.parent_id WHERE a.id = $1`,
      values: [id],
    },
    {
      text: `SELECT c.id, c.username, c.region, s.has_erase_job FROM account c JOIN scope_set s ON s.id = c.scope_set_id
             WHERE c.parent_id = $1 ORDER BY c.username LIMIT 200`,
      values: [id],
    },
    {
      text: `SELECT k.id, k.name, k.created_at, k.last_used_at, s.scopes FROM api_key k JOIN scope_set s ON s.id = k.scope_set_id
             WHERE k.account_id = $1 ORDER BY k.created_at`,
      values: [id],
    },
    { text: `SELECT * FROM scope_reset WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50`, values: [id] },
    { text: `SELECT * FROM admin_note WHERE account_id = $1 ORDER BY created_at DESC LIMIT 50`, values: [id] },
  ];
}

/**
 * The limit: the statements of one request run through a pg pool with the
 * same number of clients in flight; independent statements run in parallel
 * as the app does.
 */
export async function directLoad(
  databaseUrl: string,
  statementsFor: (i: number) => { text: string; values: unknown[] }[],
  count: number,
  concurrency: number,
): Promise<LatencySummary> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: Math.max(concurrency, 10) });
  try {
    await closedLoop(Math.min(200, count), concurrency, async (i) => {
      await Promise.all(statementsFor(i).map((s) => pool.query(s.text, s.values)));
      return true;
    });
    return await closedLoop(count, concurrency, async (i) => {
      await Promise.all(statementsFor(i).map((s) => pool.query(s.text, s.values)));
      return true;
    });
  } finally {
    await pool.end();
  }
}

export interface ScenarioResult {
  scenario: string;
  concurrency: number;
  app: LatencySummary & { non2xx?: number };
  limit?: LatencySummary;
  ratio?: number;
  peakMemoryMb?: number;
}

export async function lookupScenarios(input: {
  baseUrl: string;
  cookie: string;
  databaseUrl: string;
  sample: Sample;
  durationSeconds: number;
  concurrencies: number[];
}): Promise<ScenarioResult[]> {
  const kinds: { kind: keyof typeof DIRECT_SEARCH; values: string[] }[] = [
    { kind: "id", values: input.sample.ids.map(String) },
    { kind: "email", values: input.sample.emails },
    { kind: "username", values: input.sample.usernames },
    { kind: "prefix", values: input.sample.prefixes },
  ];
  const results: ScenarioResult[] = [];
  for (const { kind, values } of kinds) {
    for (const concurrency of input.concurrencies) {
      const app = await httpLoad({
        baseUrl: input.baseUrl,
        paths: values.map((v) => `/api/accounts?q=${encodeURIComponent(v)}`),
        headers: { cookie: input.cookie },
        connections: concurrency,
        durationSeconds: input.durationSeconds,
        warmupSeconds: 2,
      });
      const limit = await directLoad(input.databaseUrl, (i) => DIRECT_SEARCH[kind]!(values[i % values.length]!), Math.max(400, app.requests), concurrency);
      results.push({ scenario: `search by ${kind}`, concurrency, app, limit, ratio: ratio(app.p95, limit.p95) });
    }
  }
  return results;
}

export async function accountDetailScenario(input: {
  baseUrl: string;
  cookie: string;
  databaseUrl: string;
  sample: Sample;
  durationSeconds: number;
  concurrencies: number[];
}): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const concurrency of input.concurrencies) {
    const app = await httpLoad({
      baseUrl: input.baseUrl,
      paths: input.sample.ids.map((id) => `/api/accounts/${id}`),
      headers: { cookie: input.cookie },
      connections: concurrency,
      durationSeconds: input.durationSeconds,
      warmupSeconds: 2,
    });
    const ids = input.sample.ids;
    const limit = await directLoad(input.databaseUrl, (i) => directAccountDetail(ids[i % ids.length]!), Math.max(400, app.requests), concurrency);
    results.push({ scenario: "GET /api/accounts/{id}", concurrency, app, limit, ratio: ratio(app.p95, limit.p95) });
  }
  return results;
}

function ratio(app: number, limit: number): number {
  return Math.round((app / Math.max(limit, 0.01)) * 100) / 100;
}
