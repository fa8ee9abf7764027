import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { asRole, OWNER_ROLE } from "@/scripts/lib/database-roles";
import { migrate, MIGRATIONS_DIR, readLocalMigrations } from "@/scripts/lib/migrate";
import { recreateDatabase, withDatabase } from "@/scripts/lib/postgres";
import { adminDatabaseUrl } from "../support/database";

// A database of its own: every migration applied to an empty database, then
// every model written and read through the generated client, which proves
// schema.prisma and the SQL agree. Created by the superuser, owned, migrated
// and used by the owner role (the app role's grants: database-roles.test.ts).
const adminUrl = withDatabase(adminDatabaseUrl(), `scopedesk_schema_${process.pid}`);
const url = asRole(adminUrl, OWNER_ROLE);
let prisma: PrismaClient;

beforeAll(async () => {
  await recreateDatabase(adminUrl, OWNER_ROLE);
  const result = await migrate(url);
  expect(result.applied).toEqual((await readLocalMigrations()).map((m) => m.name));
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
});

afterAll(async () => {
  await prisma?.$disconnect();
  const admin = new pg.Client({ connectionString: withDatabase(adminUrl, "postgres") });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  await admin.end();
});

describe("migrations", () => {
  it("are recorded in Prisma's table with checksums, and a second run applies nothing", async () => {
    const rows = await prisma.$queryRaw<{ migration_name: string; checksum: string }[]>`
      SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`;
    const local = await readLocalMigrations();
    expect(rows).toEqual(local.map((m) => ({ migration_name: m.name, checksum: m.checksum })));
    expect((await migrate(url)).applied).toEqual([]);
  });

  it("refuses a migration edited after it was applied", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "scopedesk-migrations-"));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const first = (await readLocalMigrations(dir))[0]!;
      const file = path.join(dir, first.name, "migration.sql");
      await writeFile(file, `${await readFile(file, "utf8")}\n-- edited\n`);
      await expect(migrate(url, { dir })).rejects.toThrow(/was edited after it was applied/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rolls back a failing migration completely and records nothing", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "scopedesk-migrations-"));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const name = "99991231000000_broken";
      await import("node:fs/promises").then((fs) => fs.mkdir(path.join(dir, name)));
      await writeFile(path.join(dir, name, "migration.sql"), "CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n");
      await expect(migrate(url, { dir })).rejects.toThrow(/failed and was rolled back/);
      const [table] = await prisma.$queryRaw<{ exists: boolean }[]>`SELECT to_regclass('half_done') IS NOT NULL AS exists`;
      expect(table?.exists).toBe(false);
      const recorded = await prisma.$queryRaw<unknown[]>`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = ${name}`;
      expect(recorded).toHaveLength(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("every model through the client", () => {
  it("writes and reads each table", async () => {
    const set = await prisma.scopeSet.create({
      data: { fingerprint: "a".repeat(64), scopes: ["recipients.erasejob.create", "recipients.erasejob.read", "mail.send"] },
    });
    expect(set.hasEraseJob).toBe(true); // generated column
    const other = await prisma.scopeSet.create({ data: { fingerprint: "b".repeat(64), scopes: ["mail.send"] } });
    expect(other.hasEraseJob).toBe(false);

    await prisma.account.create({
      data: { id: 1, username: "Parent", email: "p@example.com", signedUpAt: new Date(), scopeSetId: set.id },
    });
    const sub = await prisma.account.create({
      data: { id: 2, username: "child", email: "c@example.com", region: "eu", signedUpAt: new Date(), scopeSetId: other.id, parentId: 1 },
      include: { parent: true },
    });
    expect(sub.parent?.username).toBe("Parent");
    await expect(
      prisma.account.create({ data: { id: 3, username: "PARENT", email: "x@example.com", signedUpAt: new Date(), scopeSetId: set.id } }),
    ).rejects.toThrow(); // usernames are unique case-insensitively

    await prisma.apiKey.create({ data: { id: "k".repeat(22), accountId: 1, name: "key", scopeSetId: set.id, secretHash: "c".repeat(64) } });
    const key = await prisma.apiKey.findFirstOrThrow({ where: { accountId: 1 } });
    expect(key.name).toBe("key");

    const staff = await prisma.staffUser.create({ data: { subject: "iss#sub", email: "a@scopedesk.test", name: "A", role: "agent" } });
    const resetId = "00000000-0000-4000-8000-000000000001";
    await prisma.$transaction(async (tx) => {
      await tx.ticketNote.create({
        data: {
          id: "00000000-0000-4000-8000-000000000002",
          ticketId: "1",
          ticketUrl: "u",
          accountId: 1,
          resetId,
          kind: "scopes_before",
          body: "b",
          authorId: staff.id,
          authorName: "A",
        },
      });
      await tx.adminNote.create({
        data: {
          id: "00000000-0000-4000-8000-000000000003",
          accountId: 1,
          ticketId: "1",
          ticketUrl: "u",
          resetId,
          body: "n",
          authorId: staff.id,
          authorName: "A",
        },
      });
      await tx.scopeReset.create({
        data: {
          id: resetId,
          accountId: 1,
          outcome: "succeeded",
          actorId: staff.id,
          actorName: "A",
          actorEmail: "a@scopedesk.test",
          ticketId: "1",
          ticketUrl: "u",
          idempotencyKey: "k1",
          requestHash: "h",
          beforeScopeSetId: other.id,
          afterScopeSetId: set.id,
          beforeCount: 1,
          afterCount: 3,
          added: ["x"],
          removed: [],
          verified: true,
          catalogVersion: "v",
          requestId: "r",
          durationMs: 5,
        },
      });
    });
    const reset = await prisma.scopeReset.findUniqueOrThrow({ where: { id: resetId }, include: { ticketNotes: true, adminNote: true } });
    expect(reset.ticketNotes).toHaveLength(1);
    expect(reset.adminNote?.body).toBe("n");

    const head = await prisma.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    expect(head.lastSeq).toBe(0n);
    const event = await prisma.auditEvent.create({
      data: { seq: 1n, action: "test", prevHash: head.lastHash, hash: "d".repeat(64), hashVersion: 2 },
    });
    expect(await prisma.auditEvent.count()).toBe(1);
    const checkpoint = await prisma.auditCheckpoint.create({
      data: {
        headSeq: 1n,
        headEventId: event.id,
        headHash: event.hash,
        eventCount: 1n,
        signedAt: new Date(),
        recordedAt: new Date(),
        keyId: "0".repeat(16),
        signature: "s",
      },
    });
    expect(checkpoint.id).toBeGreaterThan(0n);
    const verification = await prisma.auditVerification.create({
      data: { id: "00000000-0000-4000-8000-000000000004", requestedById: staff.id, requestedByName: "A" },
    });
    expect(verification).toMatchObject({ status: "queued", checkedEvents: 0n, result: null });
  });

  it("refuses UPDATE, DELETE and TRUNCATE on the audit log and its checkpoints", async () => {
    await expect(prisma.$executeRaw`UPDATE audit_event SET action = 'x'`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`DELETE FROM audit_event`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`TRUNCATE audit_event`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`UPDATE audit_checkpoint SET signature = 'x'`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`DELETE FROM audit_checkpoint`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`TRUNCATE audit_checkpoint`).rejects.toThrow(/append-only/);
  });
});
