/**
 * Lookup and account-page scenarios, each next to its limit: the same SQL run
 * straight through `pg` (what the database alone costs), at the same concurrency.
 */
import pg from "pg";
import { closedLoop, withPg, type LatencySummary } from "../lib/harness";
import type { CpuPerRequest } from "../lib/cpu";
import { httpLoad } from "../lib/load";

export interface Sample {
  ids: number[];
  usernames: string[];
  emails: string[];
  prefixes: string[];
  /** Company names as a lead types them: the name without its legal suffix ("Bright Post" of "Bright Post Inc."). */
  companies: string[];
  /** E-mail domains (`brightpost1a.example`). */
  domains: string[];
  /** The start of an e-mail, cut inside its domain (`ana@brightpo`). */
  partialEmails: string[];
}

/** Real values from the database, spread over the id range, so the cache is not one hot row. */
export async function sampleAccounts(databaseUrl: string, n = 500): Promise<Sample> {
  return withPg(databaseUrl, async (c) => {
    let { rows } = await c.query<{ id: number; username: string; email: string; company: string | null }>(
      `SELECT id, username, email, company FROM account TABLESAMPLE SYSTEM (1) WHERE parent_id IS NULL AND id < 90000000 LIMIT $1`,
      [n],
    );
    // A small database has too few pages for a 1 % page sample.
    if (rows.length < n / 2) {
      ({ rows } = await c.query(
        `SELECT id, username, email, company FROM account WHERE parent_id IS NULL AND id < 90000000 ORDER BY random() LIMIT $1`,
        [n],
      ));
    }
    if (rows.length === 0) throw new Error("the benchmark database has no accounts to look up");
    const withCompany = rows.filter((r) => r.company);
    return {
      ids: rows.map((r) => r.id),
      usernames: rows.map((r) => r.username),
      emails: rows.map((r) => r.email),
      prefixes: rows.map((r) => r.username.slice(0, Math.max(3, Math.min(6, r.username.length - 1))).toLowerCase()),
      companies: withCompany.map((r) => r.company!.split(" ").slice(0, 2).join(" ")),
      domains: rows.map((r) => r.email.split("@")[1]!),
      partialEmails: rows.map((r) => {
        const [local, domain] = r.email.split("@") as [string, string];
        return `${local}@${domain.slice(0, Math.max(3, Math.floor(domain.length / 2)))}`;
      }),
    };
  });
}

type Statement = { text: string; values: unknown[] };

const SUMMARY_COLUMNS = `a.id, a.username, a.email, a.company, a.region::text AS region, a.signed_up_at, a.parent_id, s.has_erase_job`;
const FROM = `FROM account a JOIN scope_set s ON s.id = a.scope_set_id`;
const like = (v: string) => v.replace(/[\\%_]/g, (m) => `\\${m}`);

/**
 * The statements searchAccounts issues for a first page of 20
 * (lib/accounts/search-accounts.ts, lib/accounts/lookup-query.ts): the exact
 * matches at once, then each paged branch in rank order, each run only while
 * the page has room (`until`: how many rows fill it). Kept in step with the
 * app's by hand; the limit is only fair while they agree.
 */
export function directSearch(text: string): { exact: Statement[]; branches: Statement[]; until: number } {
  const q = text.trim().toLowerCase();
  const digits = q.startsWith("#") ? q.slice(1) : q;
  const id = /^[0-9]+$/.test(digits) && Number(digits) >= 1 && Number(digits) <= 2_147_483_647 ? Number(digits) : undefined;
  const email = q.includes("@") ? q : undefined;
  const exact: Statement[] = [];
  if (id !== undefined) exact.push({ text: `SELECT ${SUMMARY_COLUMNS} ${FROM} WHERE a.id = $1`, values: [id] });
  exact.push({ text: `SELECT ${SUMMARY_COLUMNS} ${FROM} WHERE lower(a.username) = $1`, values: [q] });
  if (email) {
    exact.push({
      text: `SELECT ${SUMMARY_COLUMNS} ${FROM} WHERE lower(a.email) = $1 ORDER BY a.parent_id NULLS FIRST, a.id LIMIT 50`,
      values: [email],
    });
  }
  const exactOther = [id !== undefined ? `a.id = ${id}` : null, email ? `lower(a.email) = '${email.replace(/'/g, "''")}'` : null].filter(
    Boolean,
  );
  const notExactOther = exactOther.length ? `AND NOT coalesce(${exactOther.join(" OR ")}, false)` : "";
  const notExact = `AND NOT coalesce(lower(a.username) = $2 ${exactOther.length ? `OR ${exactOther.join(" OR ")}` : ""}, false)`;
  const usernamePrefix = `lower(a.username) LIKE $3 ESCAPE '\\'`;
  const branches: Statement[] = [
    {
      text: `SELECT ${SUMMARY_COLUMNS}, lower(a.username) AS key ${FROM} WHERE lower(a.username) LIKE $1 ESCAPE '\\' AND lower(a.username) ~>~ ''
             ${notExactOther} ORDER BY lower(a.username) USING ~<~ LIMIT 21`,
      values: [`${like(q)}%`],
    },
  ];
  if (id === undefined) {
    const emailPrefix = email && !email.startsWith("@") ? email : undefined;
    const domainText = q.startsWith("@") ? q.slice(1) : email === undefined ? q : "";
    const domain = [...domainText].length >= 3 && /^[\p{L}\p{N}][\p{L}\p{N}.-]*$/u.test(domainText) ? domainText : undefined;
    const company = q.replace(/\s+/g, " ");
    const hasCompany = [...company].length >= 2 && !q.includes("@");
    const earlier: string[] = [usernamePrefix];
    if (emailPrefix) {
      branches.push({
        text: `SELECT ${SUMMARY_COLUMNS}, lower(a.email) AS key ${FROM} WHERE lower(a.email) COLLATE "C" LIKE $1 ESCAPE '\\'
               ${notExact} AND NOT coalesce(${usernamePrefix}, false)
               ORDER BY lower(a.email) COLLATE "C", a.id LIMIT 21`,
        values: [`${like(emailPrefix)}%`, q, `${like(q)}%`],
      });
      earlier.push(`lower(a.email) COLLATE "C" LIKE $4 ESCAPE '\\'`);
    }
    const earlierValues = emailPrefix ? [`${like(emailPrefix)}%`] : [];
    const not = (conditions: string[]) => conditions.map((c) => `AND NOT coalesce(${c}, false)`).join(" ");
    if (domain) {
      branches.push({
        text: `SELECT ${SUMMARY_COLUMNS}, lower(split_part(a.email, '@', 2)) AS key ${FROM}
               WHERE lower(split_part(a.email, '@', 2)) COLLATE "C" LIKE $1 ESCAPE '\\'
               ${notExact} ${not(earlier)} ORDER BY lower(split_part(a.email, '@', 2)) COLLATE "C", a.id LIMIT 21`,
        values: [`${like(domain)}%`, q, `${like(q)}%`, ...earlierValues],
      });
    }
    if (hasCompany) {
      const withDomain = domain
        ? [...earlier, `lower(split_part(a.email, '@', 2)) COLLATE "C" LIKE $${4 + earlierValues.length} ESCAPE '\\'`]
        : earlier;
      const domainValues = domain ? [`${like(domain)}%`] : [];
      branches.push({
        text: `SELECT ${SUMMARY_COLUMNS}, lower(a.company) AS key ${FROM} WHERE a.company IS NOT NULL AND lower(a.company) COLLATE "C" LIKE $1 ESCAPE '\\'
               ${notExact} ${not(withDomain)}
               ORDER BY lower(a.company) COLLATE "C", a.id LIMIT 21`,
        values: [`${like(company)}%`, q, `${like(q)}%`, ...earlierValues, ...domainValues],
      });
      if ([...company].length >= 3) {
        const k = 4 + earlierValues.length + domainValues.length;
        branches.push({
          text: `SELECT ${SUMMARY_COLUMNS}, '' AS key ${FROM} WHERE a.company IS NOT NULL AND lower(a.company) LIKE $1 ESCAPE '\\' AND a.id > 0
                 ${notExact} ${not([...withDomain, `lower(a.company) COLLATE "C" LIKE $${k} ESCAPE '\\'`])} ORDER BY a.id LIMIT 21`,
          values: [`%${like(company)}%`, q, `${like(q)}%`, ...earlierValues, ...domainValues, `${like(company)}%`],
        });
      }
    }
  }
  return { exact, branches, until: 21 };
}

/** As the app: the exact matches at once, then each branch while the page still has room. */
export async function directSearchTask(pool: pg.Pool, text: string): Promise<void> {
  const { exact, branches, until } = directSearch(text);
  await Promise.all(exact.map((s) => pool.query(s.text, s.values)));
  let rows = 0;
  for (const s of branches) {
    rows += (await pool.query(s.text, s.values)).rowCount ?? 0;
    if (rows >= until) break;
  }
}

/**
 * What GET /api/accounts/{id} reads (lib/accounts/get-account-detail.ts,
 * lib/scope-resets/load-reset-subject.ts, get-account-history.ts), in the
 * same rounds: the account (with its details) and its history at once; then its
 * subusers (a parent) or its parent (a subuser); then every key of the
 * account and its subusers, with their scopes (the app keeps scope sets in
 * memory, so the direct path joins them instead).
 */
export async function directAccountDetail(pool: pg.Pool, id: number): Promise<void> {
  const [account] = await Promise.all([
    pool.query<{ id: number; parent_id: number | null }>(
      `SELECT a.id, a.username, a.email, a.signed_up_at, a.parent_id, a.scope_set_id, a.company, a.region::text AS region,
              a.scopes_updated_at, s.scopes, s.fingerprint
         FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE a.id = $1`,
      [id],
    ),
    pool.query(
      `SELECT id, outcome, actor_name, created_at, ticket_id, ticket_url, added, removed, failure_reason FROM scope_reset
        WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50`,
      [id],
    ),
    pool.query(
      `SELECT id, body, author_name, created_at, ticket_id, ticket_url, reset_id FROM admin_note WHERE account_id = $1 ORDER BY created_at DESC LIMIT 50`,
      [id],
    ),
  ]);
  const row = account.rows[0];
  if (!row) return;
  let owners = [id];
  if (row.parent_id === null) {
    const subusers = await pool.query<{ id: number }>(
      `SELECT a.id, a.username, a.region::text AS region, s.scopes FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE a.parent_id = $1 ORDER BY a.id`,
      [id],
    );
    owners = [id, ...subusers.rows.map((s) => s.id)];
  } else {
    await pool.query(
      `SELECT a.id, a.username, a.email, s.scopes, s.fingerprint FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE a.id = $1`,
      [row.parent_id],
    );
  }
  await pool.query(
    `SELECT k.id, k.name, k.account_id, k.created_at, k.last_used_at, s.scopes FROM api_key k JOIN scope_set s ON s.id = k.scope_set_id
      WHERE k.account_id = ANY($1::int[]) ORDER BY k.created_at, k.id`,
    [owners],
  );
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
  return directTaskLoad(
    databaseUrl,
    async (pool, i) => void (await Promise.all(statementsFor(i).map((s) => pool.query(s.text, s.values)))),
    count,
    concurrency,
  );
}

/** The same for a request whose statements depend on each other: `task` issues them as the app does. */
export async function directTaskLoad(
  databaseUrl: string,
  task: (pool: pg.Pool, i: number) => Promise<void>,
  count: number,
  concurrency: number,
): Promise<LatencySummary> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: Math.max(concurrency, 10) });
  const once = async (i: number) => {
    await task(pool, i);
    return true;
  };
  try {
    await closedLoop(Math.min(200, count), concurrency, once);
    return await closedLoop(count, concurrency, once);
  } finally {
    await pool.end();
  }
}

export interface ScenarioResult {
  scenario: string;
  concurrency: number;
  app: LatencySummary & { non2xx?: number };
  /** The same SQL straight through `pg`, at the same concurrency. */
  limit?: LatencySummary;
  /** p95 against the limit's p95. */
  ratio?: number;
  /** p95 against the pipeline's floor (GET /api/me, signed in) at the same concurrency. */
  floorRatio?: number;
  peakMemoryMb?: number;
  /** CPU ms per request of the app, PostgreSQL and the load generator, and what that leaves of the machine. */
  cpu?: CpuPerRequest;
}

export async function lookupScenarios(input: {
  baseUrl: string;
  cookie: string;
  databaseUrl: string;
  sample: Sample;
  durationSeconds: number;
  concurrencies: number[];
  appPid?: number;
}): Promise<ScenarioResult[]> {
  const kinds: { kind: string; values: string[] }[] = [
    { kind: "id", values: input.sample.ids.map(String) },
    { kind: "email", values: input.sample.emails },
    { kind: "username", values: input.sample.usernames },
    { kind: "prefix", values: input.sample.prefixes },
    // The partial matches of decision 037.
    { kind: "company name", values: input.sample.companies },
    { kind: "e-mail domain", values: input.sample.domains },
    { kind: "partial e-mail", values: input.sample.partialEmails },
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
        cpuOfPid: input.appPid,
      });
      const limit = await directTaskLoad(
        input.databaseUrl,
        (pool, i) => directSearchTask(pool, values[i % values.length]!),
        Math.max(400, app.requests),
        concurrency,
      );
      results.push({ scenario: `search by ${kind}`, concurrency, app, limit, ratio: ratio(app.p95, limit.p95), cpu: app.cpu });
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
  appPid?: number;
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
      cpuOfPid: input.appPid,
    });
    const ids = input.sample.ids;
    const limit = await directTaskLoad(
      input.databaseUrl,
      (pool, i) => directAccountDetail(pool, ids[i % ids.length]!),
      Math.max(400, app.requests),
      concurrency,
    );
    results.push({ scenario: "GET /api/accounts/{id}", concurrency, app, limit, ratio: ratio(app.p95, limit.p95), cpu: app.cpu });
  }
  return results;
}

export function ratio(app: number, limit: number): number {
  return Math.round((app / Math.max(limit, 0.01)) * 100) / 100;
}
