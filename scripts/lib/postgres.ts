import pg from "pg";

/** Helpers the demo, test and bench commands use to get a database ready. */

export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unsupported database name "${name}" in ${redact(url)}`);
  return name;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

export function isLocalDatabase(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "[::1]" || host === "";
}

const START_HINT =
  "Start PostgreSQL, e.g. `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` on Debian, " +
  "or `docker run -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15`, or point DATABASE_URL at a running server.";

/** Waits until the server answers; throws a message saying how to start one. */
export async function waitForPostgres(url: string, timeoutMs = 15_000): Promise<void> {
  const admin = withDatabase(url, "postgres");
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`Cannot reach PostgreSQL at ${redact(admin)} (${(lastError as Error)?.message ?? "no answer"}).\n${START_HINT}`);
}

export async function databaseExists(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [databaseName(url)]);
    return (rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/** The role that owns the database, or null when there is no such database. */
export async function databaseOwner(url: string): Promise<string | null> {
  return withPg(withDatabase(url, "postgres"), async (client) => {
    const { rows } = await client.query<{ owner: string }>("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1", [
      databaseName(url),
    ]);
    return rows[0]?.owner ?? null;
  });
}

function createDatabaseStatement(name: string, owner?: string): string {
  if (owner !== undefined && !/^[a-z_][a-z0-9_]*$/.test(owner)) throw new Error(`Unsupported role name "${owner}"`);
  return `CREATE DATABASE "${name}"${owner ? ` OWNER "${owner}"` : ""}`;
}

/** Creates the database (owned by `owner` when given, which needs a superuser connection) unless it exists. */
export async function ensureDatabase(url: string, owner?: string): Promise<boolean> {
  if (await databaseExists(url)) return false;
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    await client.query(createDatabaseStatement(databaseName(url), owner));
  } catch (error) {
    // Another process may have created it between our check and create.
    if ((error as { code?: string }).code !== "42P04") throw error;
  } finally {
    await client.end();
  }
  return true;
}

/** Drops and recreates the database (owned by `owner` when given): the only way to get rid of an append-only audit log. */
export async function recreateDatabase(url: string, owner?: string): Promise<void> {
  const name = databaseName(url);
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(createDatabaseStatement(name, owner));
  } finally {
    await client.end();
  }
}

/** One connection for the length of `fn`, closed whatever happens. */
export async function withPg<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
