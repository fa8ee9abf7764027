import "server-only";
import pg from "pg";

/**
 * Decision 014: the app's connection must be neither a superuser nor the
 * owner of the audit log, either of which could switch its triggers off.
 * Null when the role is fine; a sentence saying what is wrong otherwise.
 */
export async function privilegedRoleProblem(client: Pick<pg.ClientBase, "query">): Promise<string | null> {
  const { rows } = await client.query<{ role: string; superuser: boolean; owns_audit: boolean | null }>(
    `SELECT current_user AS role, r.rolsuper AS superuser,
            (SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c WHERE c.oid = to_regclass('public.audit_event')) AS owns_audit
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const row = rows[0];
  if (row?.superuser) return `DATABASE_URL connects as ${row.role}, a superuser`;
  if (row?.owns_audit) return `DATABASE_URL connects as ${row.role}, the owner of the audit log (it could disable its triggers)`;
  return null;
}

/** The check over a connection of its own; null too when the database cannot be reached (the health check reports that). */
export async function checkAppDatabaseRole(databaseUrl: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return await privilegedRoleProblem(client);
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}
