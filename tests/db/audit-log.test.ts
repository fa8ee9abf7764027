import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditEvent } from "@/lib/audit/append-audit-event";
import { auditEventHashV2, auditEventTextV2 } from "@/lib/audit/chain";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";
import { getDb } from "@/lib/platform/db";
import { APP_ROLE, asRole } from "@/scripts/lib/database-roles";
import { adminDatabaseUrl, ownerDb } from "../support/database";
import { createAccount, createAuditedScopeReset, requestMeta, staffByEmail } from "../support/factories";

/**
 * The audit log is append-only (the database refuses changes), hashed by the
 * database from the fields it stores with the database's own time (decision
 * 035), and tamper-evident (the verifier finds any change made behind the
 * triggers' back). Tampering is undone at the end of each test so the shared
 * chain stays intact.
 */
let superuser: pg.Client;
let app: pg.Client;

async function append(action: string, details: Record<string, unknown> = { n: 1, nested: { b: [1, "x"], a: null } }) {
  return getDb().$transaction((tx) =>
    appendAuditEvent(tx, { actor: { id: null, name: "audit-log test", email: null }, action, details, meta: requestMeta() }),
  );
}

beforeAll(async () => {
  superuser = new pg.Client({ connectionString: adminDatabaseUrl() });
  app = new pg.Client({ connectionString: asRole(adminDatabaseUrl(), APP_ROLE) });
  await Promise.all([superuser.connect(), app.connect()]);
  await append("test.first");
  await append("test.second");
  await append("test.third");
});

afterAll(async () => {
  await Promise.all([superuser.end(), app.end()]);
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

describe("the database hashes and times each event itself", () => {
  it("refuses, as the app role, the old call that took a hash text and a time from the caller", async () => {
    await expect(
      app.query(
        `SELECT append_audit_event(gen_random_uuid(), '2001-01-01T00:00:00Z'::timestamptz, NULL, 'forger', NULL, 'test.forged', NULL, NULL,
                                   NULL, '{}'::jsonb, NULL, NULL, 'r', '{"made":"up"', '}')`,
      ),
    ).rejects.toThrow(/function append_audit_event\(.*\) does not exist/);
    expect(await getDb().auditEvent.count({ where: { action: "test.forged" } })).toBe(0);
  });

  it("stores, for whatever the app role passes, a hash of exactly the stored fields and the database's clock", async () => {
    // Details as awkward as they come: keys that sort differently by UTF-16 and by code point, exact decimals,
    // an integer beyond 2^53, control characters, quotes, a key that looks like a seq, nesting.
    const details = `{"b": 1.50, "\u{1F600}": "emoji", "\uffff": 2, "big": 9007199254740993, "seq": "0",
                      "text": "tab\\t quote\\" back\\\\ ctl\\u0001 é ✓", "list": [3, {"z": null, "a": [true, false]}], "e": 1e3}`;
    const { rows: clock } = await app.query<{ now: Date }>("SELECT clock_timestamp() AS now");
    const { rows } = await app.query<{ seq: string }>(
      `SELECT append_audit_event(gen_random_uuid(), NULL, 'Alex "the" Agent', 'agent@scopedesk.test', 'test.awkward', 'account', '42',
                                 '4242', $1::jsonb, '203.0.113.9', 'Mozilla/5.0 ✓', 'req-awkward')::text AS seq`,
      [details],
    );
    const seq = rows[0]!.seq;
    const { rows: stored } = await app.query<
      Record<string, unknown> & { details: string; occurred_at: Date; hash: string; prev_hash: string }
    >(
      `SELECT seq, id, occurred_at, actor_id, actor_name, actor_email, action, target_type, target_id, ticket_id, details::text AS details,
              ip, user_agent, request_id, prev_hash, hash, hash_version FROM audit_event WHERE seq = $1`,
      [seq],
    );
    const e = stored[0]!;
    expect(e.hash_version).toBe(2);
    // The database's time, taken under the head's lock: not before our clock reading, and close to it.
    expect(e.occurred_at.getTime()).toBeGreaterThanOrEqual(clock[0]!.now.getTime() - 1);
    expect(e.occurred_at.getTime() - clock[0]!.now.getTime()).toBeLessThan(5_000);
    const event = {
      seq: BigInt(seq),
      id: e.id as string,
      occurredAt: e.occurred_at,
      actorId: null,
      actorName: 'Alex "the" Agent',
      actorEmail: "agent@scopedesk.test",
      action: "test.awkward",
      targetType: "account",
      targetId: "42",
      ticketId: "4242",
      details: e.details,
      ip: "203.0.113.9",
      userAgent: "Mozilla/5.0 ✓",
      requestId: "req-awkward",
    };
    expect(auditEventTextV2({ ...event, prevHash: e.prev_hash })).toContain('"big":9007199254740993');
    expect(auditEventTextV2({ ...event, prevHash: e.prev_hash })).toContain('"b":1.50');
    expect(e.hash).toBe(auditEventHashV2(e.prev_hash, event));
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("keeps the chain one line under concurrent appends: seqs without gaps, each linked to the one before, times in order", async () => {
    const before = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    await Promise.all(Array.from({ length: 24 }, (_, i) => append("test.concurrent", { i })));
    const events = await getDb().auditEvent.findMany({ where: { seq: { gt: before.lastSeq } }, orderBy: { seq: "asc" } });
    expect(events.filter((e) => e.action === "test.concurrent")).toHaveLength(24);
    expect(events[0]!.prevHash).toBe(before.lastHash);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.seq).toBe(events[i - 1]!.seq + 1n);
      expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
      expect(events[i]!.occurredAt.getTime()).toBeGreaterThanOrEqual(events[i - 1]!.occurredAt.getTime());
    }
    expect(await verifyAuditChain({ batchSize: 7 })).toMatchObject({ ok: true });
  });
});

describe("chain verification", () => {
  it("reports an intact chain with every event counted, in batches, in words", async () => {
    const total = await getDb().auditEvent.count();
    const report = await verifyAuditChain({ batchSize: 2 });
    expect(report).toMatchObject({ ok: true, eventsChecked: total, intactThrough: String(total), problem: null });
    expect(report.summary).toMatch(new RegExp(`^Intact through event #${total}: all ${total.toLocaleString("en")} events match`));
  });

  it("finds a row altered behind the triggers' back, says what differs, and is intact again once it is restored", async () => {
    const alex = await staffByEmail("agent@scopedesk.test");
    const account = await createAccount();
    const reset = await createAuditedScopeReset({ accountId: account.id, actor: alex });
    await append("test.after-the-reset");
    const [{ seq }] = (
      await superuser.query<{ seq: string }>(
        `SELECT seq::text FROM audit_event WHERE action = 'scope_reset.succeeded' AND details->>'resetId' = $1`,
        [reset.id],
      )
    ).rows as [{ seq: string }];
    await superuser.query("SET session_replication_role = replica");
    try {
      await superuser.query("UPDATE audit_event SET actor_name = 'Mallory' WHERE seq = $1", [seq]);
      const report = await verifyAuditChain({ batchSize: 3 });
      expect(report).toMatchObject({
        ok: false,
        intactThrough: String(BigInt(seq) - 1n),
        problem: { kind: "hash", seq, message: "its stored hash does not match its fields." },
      });
      expect(report.summary).toMatch(new RegExp(`^The first broken event is #${seq}: its stored hash does not match its fields\\.`));
      expect(report.problem!.differences.join(" ")).toMatch(/fields were changed after it was written/);
      expect(report.problem!.differences.join(" ")).toContain(`actor name is "Mallory" in the log but "${alex.name}" in the reset record`);
    } finally {
      await superuser.query("UPDATE audit_event SET actor_name = $2 WHERE seq = $1", [seq, alex.name]);
      await superuser.query("RESET session_replication_role");
    }
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("finds a removed row and a removed tail", async () => {
    await append("test.tail-1");
    await append("test.tail-2");
    const { rows } = await superuser.query<{ seq: string }>("SELECT seq::text FROM audit_event ORDER BY audit_event.seq DESC LIMIT 2");
    const [last, middle] = rows as [{ seq: string }, { seq: string }];
    await superuser.query("CREATE TEMP TABLE saved_event AS SELECT * FROM audit_event WHERE seq IN ($1, $2)", [last.seq, middle.seq]);
    await superuser.query("SET session_replication_role = replica");
    try {
      await superuser.query("DELETE FROM audit_event WHERE seq = $1", [middle.seq]);
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        problem: {
          kind: "missing",
          seq: middle.seq,
          message: `it is missing: after event #${BigInt(middle.seq) - 1n} comes #${last.seq}.`,
        },
      });
      await superuser.query("DELETE FROM audit_event WHERE seq = $1", [last.seq]);
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        problem: { kind: "head", message: expect.stringMatching(/removed from the end/) },
      });
    } finally {
      await superuser.query("INSERT INTO audit_event SELECT * FROM saved_event");
      await superuser.query("RESET session_replication_role");
      await superuser.query("DROP TABLE saved_event");
    }
    expect(await verifyAuditChain()).toMatchObject({ ok: true });
  });
});
