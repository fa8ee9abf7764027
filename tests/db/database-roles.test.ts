import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditEvent } from "@/lib/audit/append-audit-event";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";
import { privilegedRoleProblem } from "@/lib/platform/database-role";
import { getDb } from "@/lib/platform/db";
import { APP_ROLE, asRole, AUDIT_TABLES, MIGRATIONS_TABLE, OWNER_ROLE, setUpLocalDatabase } from "@/scripts/lib/database-roles";
import { migrate, MIGRATIONS_DIR } from "@/scripts/lib/migrate";
import { databaseName, withDatabase, withPg } from "@/scripts/lib/postgres";
import { adminDatabaseUrl, ownerDatabaseUrl } from "../support/database";
import { requestMeta } from "../support/factories";

/**
 * Decision 014: the app connects as a role that can read the audit log and
 * append to it only through append_audit_event, cannot change the schema or
 * switch a trigger off, and has ordinary DML on everything else.
 */
let app: pg.Client;

beforeAll(async () => {
  app = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await app.connect();
});

afterAll(async () => {
  await app.end();
});

describe("the app role", () => {
  it("is the app role, no superuser, which the production start accepts (and refuses the owner and a superuser)", async () => {
    const { rows } = await app.query<{ user: string; superuser: boolean }>(
      "SELECT current_user AS user, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user",
    );
    expect(rows[0]).toEqual({ user: APP_ROLE, superuser: false });
    expect(await privilegedRoleProblem(app)).toBeNull();
    expect(await withPg(ownerDatabaseUrl(), privilegedRoleProblem)).toMatch(/scopedesk_owner, the owner of the audit log/);
    expect(await withPg(adminDatabaseUrl(), privilegedRoleProblem)).toMatch(/postgres, a superuser/);
  });

  it.each([
    ["ALTER TABLE audit_event DISABLE TRIGGER ALL", /must be owner of table audit_event/],
    ["ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete", /must be owner of table audit_event/],
    ["DROP TRIGGER audit_event_no_truncate ON audit_event", /must be owner of (table|relation) audit_event/],
    ["UPDATE audit_event SET action = 'x' WHERE seq = (SELECT max(seq) FROM audit_event)", /permission denied for table audit_event/],
    ["DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)", /permission denied for table audit_event/],
    ["TRUNCATE audit_event", /permission denied for table audit_event/],
    [
      "INSERT INTO audit_event (seq, id, action, prev_hash, hash) VALUES ((SELECT last_seq + 1 FROM audit_chain_head), gen_random_uuid(), 'forged', 'x', 'y')",
      /permission denied for table audit_event/,
    ],
    ["UPDATE audit_chain_head SET last_hash = 'x'", /permission denied for table audit_chain_head/],
    ["SET session_replication_role = replica", /permission denied to set parameter "session_replication_role"/],
    ["CREATE TABLE sneaky (id int)", /permission denied for schema public/],
    ["ALTER TABLE account ADD COLUMN sneaky int", /must be owner of table account/],
    ["DROP TABLE staff_session", /must be owner of table staff_session/],
    [
      "CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
      /must be owner of function|permission denied for schema public/,
    ],
    ["DELETE FROM _prisma_migrations", /permission denied for table _prisma_migrations/],
  ])("is refused %s", async (sql, message) => {
    await expect(app.query(sql)).rejects.toThrow(message);
  });

  it("reads the audit log and appends to it through append_audit_event, and the chain stays intact", async () => {
    const before = await app.query<{ n: string }>("SELECT count(*) AS n FROM audit_event");
    const { seq } = await getDb().$transaction((tx) =>
      appendAuditEvent(tx, { actor: { id: null, name: "roles test", email: null }, action: "test.roles", meta: requestMeta() }),
    );
    const after = await app.query<{ n: string; action: string }>(
      "SELECT count(*) AS n, max(action) FILTER (WHERE seq = $1) AS action FROM audit_event",
      [seq.toString()],
    );
    expect(Number(after.rows[0]!.n)).toBe(Number(before.rows[0]!.n) + 1);
    expect(after.rows[0]!.action).toBe("test.roles");
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("may not call append_audit_event unless granted: the function is not executable by everyone", async () => {
    const { rows } = await app.query<{ public_grants: string }>(
      `SELECT count(*) AS public_grants FROM pg_proc p, aclexplode(p.proacl) a WHERE p.proname = 'append_audit_event' AND a.grantee = 0`,
    );
    expect(rows[0]!.public_grants).toBe("0");
  });

  it("has SELECT, INSERT, UPDATE and DELETE on every other table, and only SELECT on the audit and migration tables", async () => {
    const { rows } = await app.query<{
      table: string;
      select: boolean;
      insert: boolean;
      update: boolean;
      delete: boolean;
      truncate: boolean;
    }>(
      `SELECT c.relname AS table, has_table_privilege(c.oid, 'SELECT') AS select, has_table_privilege(c.oid, 'INSERT') AS insert,
              has_table_privilege(c.oid, 'UPDATE') AS update, has_table_privilege(c.oid, 'DELETE') AS delete,
              has_table_privilege(c.oid, 'TRUNCATE') AS truncate
         FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'`,
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const readOnly = [...AUDIT_TABLES, MIGRATIONS_TABLE].includes(row.table);
      expect(row, row.table).toEqual({
        table: row.table,
        select: true,
        insert: !readOnly,
        update: !readOnly,
        delete: !readOnly,
        truncate: false,
      });
    }
  });

  it("gets ordinary DML on a table a later migration creates, through the default privileges", async () => {
    const table = `test_later_${process.pid}`;
    await withPg(ownerDatabaseUrl(), (owner) => owner.query(`CREATE TABLE ${table} (id int PRIMARY KEY, note text)`));
    try {
      await app.query(`INSERT INTO ${table} VALUES (1, 'a')`);
      await app.query(`UPDATE ${table} SET note = 'b'`);
      expect((await app.query(`SELECT note FROM ${table}`)).rows).toEqual([{ note: "b" }]);
      await app.query(`DELETE FROM ${table}`);
      await expect(app.query(`DROP TABLE ${table}`)).rejects.toThrow(/must be owner/);
    } finally {
      await withPg(ownerDatabaseUrl(), (owner) => owner.query(`DROP TABLE ${table}`));
    }
  });
});

describe("a database made before the roles existed (by postgres)", () => {
  const adminUrl = withDatabase(adminDatabaseUrl(), `scopedesk_adopt_${process.pid}`);
  const name = databaseName(adminUrl);
  let oldMigrations: string;

  beforeAll(async () => {
    // An older checkout: the migrations before decision 014, applied by the superuser as they used to be.
    oldMigrations = await mkdtemp(path.join(tmpdir(), "scopedesk-old-migrations-"));
    await cp(MIGRATIONS_DIR, oldMigrations, { recursive: true });
    for (const name of await readdir(oldMigrations)) if (name >= "20261201") await rm(path.join(oldMigrations, name), { recursive: true });
    await withPg(withDatabase(adminUrl, "postgres"), async (c) => {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${name}"`);
    });
    await migrate(adminUrl, { dir: oldMigrations });
    await withPg(adminUrl, (c) =>
      c.query(
        `INSERT INTO staff_user (id, subject, email, name, role) VALUES (gen_random_uuid(), 'old#1', 'old@scopedesk.test', 'Old', 'agent')`,
      ),
    );
  });

  afterAll(async () => {
    await rm(oldMigrations, { recursive: true, force: true });
    await withPg(withDatabase(adminUrl, "postgres"), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  });

  it("is handed to the owner role with its data, migrated on, and works for the app role", async () => {
    const database = await setUpLocalDatabase(adminUrl);
    expect(database.created).toBe(false);
    expect(database.adopted).toBeGreaterThan(10);
    expect(database.migrations.applied).toEqual(
      expect.arrayContaining(["20261201100000_staff_sessions", "20261201110000_audit_append_function"]),
    );
    const notOwned = await withPg(
      adminUrl,
      async (c) =>
        (
          await c.query<{ name: string }>(
            `SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relowner <> '${OWNER_ROLE}'::regrole
         UNION ALL SELECT proname FROM pg_proc p WHERE pronamespace = 'public'::regnamespace AND proowner <> '${OWNER_ROLE}'::regrole
           -- A trusted extension's objects (pg_trgm) belong to the bootstrap superuser, whoever created it.
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
         UNION ALL SELECT typname FROM pg_type t WHERE typnamespace = 'public'::regnamespace AND typowner <> '${OWNER_ROLE}'::regrole
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
           -- … and the array types of those.
           AND NOT EXISTS (SELECT FROM pg_type e, pg_depend d WHERE e.typarray = t.oid AND d.classid = 'pg_type'::regclass AND d.objid = e.oid AND d.deptype = 'e')
         UNION ALL SELECT datname FROM pg_database WHERE datname = current_database() AND datdba <> '${OWNER_ROLE}'::regrole`,
          )
        ).rows,
    );
    expect(notOwned).toEqual([]);
    await withPg(asRole(adminUrl, APP_ROLE), async (c) => {
      expect((await c.query("SELECT email FROM staff_user")).rows).toEqual([{ email: "old@scopedesk.test" }]);
      await c.query(
        `SELECT append_audit_event(gen_random_uuid(), NULL, 'adopted', NULL, 'test.adopted', NULL, NULL, NULL, '{}'::jsonb, NULL, NULL, 'r')`,
      );
      await expect(c.query("ALTER TABLE audit_event DISABLE TRIGGER ALL")).rejects.toThrow(/must be owner/);
    });
    // Running it again changes nothing.
    expect(await setUpLocalDatabase(adminUrl)).toMatchObject({ created: false, adopted: 0, migrations: { applied: [] } });
  });
});
