import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditEvent } from "@/lib/audit/append-audit-event";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";
import { getDb } from "@/lib/platform/db";
import { adminDatabaseUrl, ownerDb } from "../support/database";
import { requestMeta } from "../support/factories";

/**
 * The audit log is append-only (the database refuses changes) and tamper-
 * evident (the verifier finds any change made behind the triggers' back).
 * Tampering is undone at the end of each test so the shared chain stays intact.
 */
let superuser: pg.Client;

async function append(action: string) {
  return getDb().$transaction((tx) =>
    appendAuditEvent(tx, {
      actor: { id: null, name: "audit-log test", email: null },
      action,
      details: { n: 1, nested: { b: [1, "x"], a: null } },
      meta: requestMeta(),
    }),
  );
}

beforeAll(async () => {
  superuser = new pg.Client({ connectionString: adminDatabaseUrl() });
  await superuser.connect();
  await append("test.first");
  await append("test.second");
  await append("test.third");
});

afterAll(async () => {
  await superuser.end();
});

describe("append-only enforcement", () => {
  it.each([
    ["UPDATE", "UPDATE audit_event SET action = 'x' WHERE seq = (SELECT max(seq) FROM audit_event)"],
    ["DELETE", "DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)"],
    ["TRUNCATE", "TRUNCATE audit_event"],
  ])("refuses %s, even to the superuser", async (op, sql) => {
    await expect(superuser.query(sql)).rejects.toThrow(new RegExp(`append-only: ${op} refused`));
  });

  // The app role may not even try (tests/db/database-roles.test.ts); the tables' owner may, and the triggers refuse.
  it("refuses an UPDATE through the owner's Prisma client too", async () => {
    await expect(ownerDb().auditEvent.updateMany({ where: { action: "test.first" }, data: { action: "changed" } })).rejects.toThrow(
      /append-only/,
    );
    await expect(ownerDb().auditEvent.deleteMany({ where: { action: "test.first" } })).rejects.toThrow(/append-only/);
  });
});

describe("chain verification", () => {
  it("reports an intact chain with every event counted, in batches", async () => {
    const total = await getDb().auditEvent.count();
    const report = await verifyAuditChain({ batchSize: 2 });
    expect(report).toMatchObject({ ok: true, count: total });
  });

  it("finds a row altered behind the triggers' back, and is intact again once it is restored", async () => {
    const [{ seq, actor_name }] = (
      await superuser.query<{ seq: string; actor_name: string }>(
        "SELECT seq::text, actor_name FROM audit_event WHERE action = 'test.second' ORDER BY audit_event.seq DESC LIMIT 1",
      )
    ).rows as [{ seq: string; actor_name: string }];
    await superuser.query("SET session_replication_role = replica");
    try {
      await superuser.query("UPDATE audit_event SET actor_name = 'Mallory' WHERE seq = $1", [seq]);
      const report = await verifyAuditChain({ batchSize: 3 });
      expect(report).toMatchObject({ ok: false, brokenAt: seq, reason: expect.stringMatching(/altered/) });
    } finally {
      await superuser.query("UPDATE audit_event SET actor_name = $2 WHERE seq = $1", [seq, actor_name]);
      await superuser.query("RESET session_replication_role");
    }
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("finds a removed row and a removed tail", async () => {
    const { rows } = await superuser.query<{ seq: string }>("SELECT seq::text FROM audit_event ORDER BY audit_event.seq DESC LIMIT 2");
    const [last, middle] = rows as [{ seq: string }, { seq: string }];
    await superuser.query("CREATE TEMP TABLE saved_event AS SELECT * FROM audit_event WHERE seq IN ($1, $2)", [last.seq, middle.seq]);
    await superuser.query("SET session_replication_role = replica");
    try {
      await superuser.query("DELETE FROM audit_event WHERE seq = $1", [middle.seq]);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, brokenAt: last.seq, reason: expect.stringMatching(/missing/) });
      await superuser.query("DELETE FROM audit_event WHERE seq = $1", [last.seq]);
      expect(await verifyAuditChain()).toMatchObject({ ok: false, reason: expect.stringMatching(/chain head/) });
    } finally {
      await superuser.query("INSERT INTO audit_event SELECT * FROM saved_event");
      await superuser.query("RESET session_replication_role");
      await superuser.query("DROP TABLE saved_event");
    }
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });
});
