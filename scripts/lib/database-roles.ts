import { migrateJobQueues } from "../../lib/jobs/migrate-job-queues";
import { migrate, type MigrateResult } from "./migrate";
import { databaseName, databaseOwner, ensureDatabase, recreateDatabase, waitForPostgres, withDatabase, withPg } from "./postgres";

/**
 * The two database roles of decision 014: the owner runs migrations and owns
 * every object; the app (DATABASE_URL) gets ordinary DML on the domain tables,
 * only SELECT on the audit log and EXECUTE on the functions that append to it, and can
 * neither change the schema nor disable a trigger.
 */
export const OWNER_ROLE = "scopedesk_owner";
export const APP_ROLE = "scopedesk_app";

/** Tables the app may read but never write directly (new audit tables belong here and need a REVOKE in their migration). */
export const AUDIT_TABLES = ["audit_event", "audit_chain_head", "audit_checkpoint"] as const;
/** The migration runner's bookkeeping: written by the owner only, read by the health check. */
export const MIGRATIONS_TABLE = "_prisma_migrations";
/** The app role's only ways to write the audit tables (SECURITY DEFINER functions, decisions 014, 035, 036). */
export const AUDIT_FUNCTIONS = [
  "append_audit_event(UUID, UUID, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, JSONB, TEXT, TEXT, TEXT)",
  "record_audit_checkpoint(BIGINT, TEXT, TIMESTAMPTZ, TEXT, TEXT)",
] as const;

function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Unsupported database role or object name "${name}"`);
  return `"${name}"`;
}

/** The user a connection string connects as. */
export function roleOf(url: string): string {
  return decodeURIComponent(new URL(url).username) || "postgres";
}

/** The same server and database as another role (no password: the local machines trust local connections). */
export function asRole(url: string, role: string): string {
  const u = new URL(url);
  u.username = role;
  u.password = "";
  return u.toString();
}

/** Creates the roles that do not exist yet; never changes an existing one (the cluster is shared). */
export async function ensureRoles(adminUrl: string, roles: readonly string[] = [OWNER_ROLE, APP_ROLE]): Promise<void> {
  await withPg(withDatabase(adminUrl, "postgres"), async (client) => {
    for (const role of roles) {
      // Two runs may create the same role at once: the loser sees duplicate_object or unique_violation.
      await client.query(`DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role.replace(/'/g, "''")}') THEN
          CREATE ROLE ${identifier(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    }
  });
}

/**
 * Gives a database created before these roles existed (by `postgres`, as the
 * demo and benchmark databases were) to the owner role: the database, the
 * public schema and every object in it, so its data and audit chain are kept.
 * Run as a superuser. Sequences that belong to a column move with their table.
 */
export async function adoptDatabase(adminUrl: string, databaseUrl: string, owner: string): Promise<number> {
  const name = databaseName(databaseUrl);
  await withPg(withDatabase(adminUrl, "postgres"), (c) => c.query(`ALTER DATABASE ${identifier(name)} OWNER TO ${identifier(owner)}`));
  return withPg(withDatabase(adminUrl, name), async (client) => {
    const { rows } = await client.query<{ statement: string }>(
      `WITH public_ns AS (SELECT oid FROM pg_namespace WHERE nspname = 'public'),
            target AS (SELECT oid FROM pg_roles WHERE rolname = $1)
       SELECT format('ALTER %s %s OWNER TO %I', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                     WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END, c.oid::regclass, $1) AS statement
         FROM pg_class c
        WHERE c.relnamespace = (SELECT oid FROM public_ns) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
          AND c.relowner <> (SELECT oid FROM target)
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                           AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i'))))
       UNION ALL
       SELECT format('ALTER %s %s OWNER TO %I', CASE p.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                     p.oid::regprocedure, $1)
         FROM pg_proc p
        WHERE p.pronamespace = (SELECT oid FROM public_ns) AND p.proowner <> (SELECT oid FROM target)
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
       UNION ALL
       SELECT format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype, $1)
         FROM pg_type t
        WHERE t.typnamespace = (SELECT oid FROM public_ns) AND t.typtype IN ('e', 'd', 'r') AND t.typowner <> (SELECT oid FROM target)
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')`,
      [owner],
    );
    await client.query("BEGIN");
    try {
      // Before PostgreSQL 15 the public schema belonged to the bootstrap superuser.
      await client.query(
        `DO $$ BEGIN
           IF (SELECT nspowner FROM pg_namespace WHERE nspname = 'public') NOT IN ('pg_database_owner'::regrole, '${owner}'::regrole) THEN
             ALTER SCHEMA public OWNER TO ${identifier(owner)};
           END IF;
         END $$`,
      );
      for (const { statement } of rows) await client.query(statement);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
    return rows.length;
  });
}

/**
 * What the app role may do, granted by the owner after every migration run
 * (idempotent). Default privileges give tables and sequences that later
 * migrations create the same DML grants without this step; audit tables must
 * revoke them in their own migration.
 */
export async function grantAppRole(ownerUrl: string, appRole: string): Promise<void> {
  const app = identifier(appRole);
  const owner = identifier(roleOf(ownerUrl));
  const readOnly = [...AUDIT_TABLES].map(identifier).join(", ");
  await withPg(ownerUrl, async (client) => {
    await client.query("BEGIN");
    try {
      // Since PostgreSQL 15 nobody but the owner may create objects in public; older servers granted it to everyone.
      await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
      await client.query(`GRANT USAGE ON SCHEMA public TO ${app}`);
      await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${app}`);
      await client.query(`REVOKE ALL ON ${readOnly}, ${identifier(MIGRATIONS_TABLE)} FROM ${app}`);
      await client.query(`GRANT SELECT ON ${readOnly}, ${identifier(MIGRATIONS_TABLE)} TO ${app}`);
      await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${app}`);
      for (const fn of AUDIT_FUNCTIONS) await client.query(`GRANT EXECUTE ON FUNCTION ${fn} TO ${app}`);
      await client.query(
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app}`,
      );
      await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${app}`);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
  });
}

/**
 * Migrates as the owner (the SQL migrations, then pg-boss's schema and our
 * queues), then grants the app role (when it is another role) what it needs.
 */
export async function migrateAndGrant(ownerUrl: string, appUrl: string, log?: (line: string) => void): Promise<MigrateResult> {
  const result = await migrate(ownerUrl, { log });
  const appRole = roleOf(appUrl) !== roleOf(ownerUrl) ? roleOf(appUrl) : null;
  await migrateJobQueues(ownerUrl, appRole);
  if (appRole) await grantAppRole(ownerUrl, appRole);
  return result;
}

export interface LocalDatabase {
  ownerUrl: string;
  appUrl: string;
  created: boolean;
  /** Objects handed from another owner to the owner role (a database made before decision 014). */
  adopted: number;
  migrations: MigrateResult;
}

/**
 * For the demo, the tests and the benchmarks on a local trust-auth server:
 * through a superuser connection, create both roles, create (or recreate, or
 * adopt) the database owned by the owner role, migrate it as the owner and
 * grant the app role. Returns the owner's and the app's connection strings.
 */
export async function setUpLocalDatabase(
  adminUrl: string,
  options: { recreate?: boolean; log?: (line: string) => void } = {},
): Promise<LocalDatabase> {
  await waitForPostgres(adminUrl);
  await ensureRoles(adminUrl);
  let created = false;
  let adopted = 0;
  if (options.recreate) {
    await recreateDatabase(adminUrl, OWNER_ROLE);
    created = true;
  } else {
    created = await ensureDatabase(adminUrl, OWNER_ROLE);
    if (!created && (await databaseOwner(adminUrl)) !== OWNER_ROLE) adopted = await adoptDatabase(adminUrl, adminUrl, OWNER_ROLE);
  }
  const ownerUrl = asRole(adminUrl, OWNER_ROLE);
  const appUrl = asRole(adminUrl, APP_ROLE);
  const migrations = await migrateAndGrant(ownerUrl, appUrl, options.log);
  return { ownerUrl, appUrl, created, adopted, migrations };
}
