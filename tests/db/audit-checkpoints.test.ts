import { randomBytes, randomUUID } from "node:crypto";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditEvent } from "@/lib/audit/append-audit-event";
import { auditEventCanonical, auditEventHash, auditEventHashV2 } from "@/lib/audit/chain";
import { checkCheckpointSignature, checkpointText } from "@/lib/audit/checkpoint";
import { signAuditCheckpoint } from "@/lib/audit/sign-audit-checkpoint";
import { generateAuditSigningKeyPem, parseAuditSigningKey, verifyText } from "@/lib/audit/signing-key";
import { verifyAuditChain } from "@/lib/audit/verify-audit-chain";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { HANDLERS } from "@/lib/jobs/handlers";
import { QUEUES } from "@/lib/jobs/queues";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { APP_ROLE, asRole, migrateAndGrant, OWNER_ROLE } from "@/scripts/lib/database-roles";
import { migrate, MIGRATIONS_DIR } from "@/scripts/lib/migrate";
import { recreateDatabase, withDatabase, withPg } from "@/scripts/lib/postgres";
import { adminDatabaseUrl } from "../support/database";
import { requestMeta } from "../support/factories";

/**
 * Signed checkpoints of the audit chain (decision 036): the worker signs the
 * head with the configured Ed25519 key; the app role can add one only through
 * record_audit_checkpoint, which refuses a head that is not in the log, a
 * backdated signing time and a step backwards, and nobody can change one.
 */
const key = getConfig().audit.signingKey!;
let app: pg.Client;

async function append(action: string) {
  return getDb().$transaction((tx) =>
    appendAuditEvent(tx, { actor: { id: null, name: "checkpoint test", email: null }, action, meta: requestMeta() }),
  );
}

beforeAll(async () => {
  app = new pg.Client({ connectionString: asRole(adminDatabaseUrl(), APP_ROLE) });
  await app.connect();
});

afterAll(async () => {
  await app.end();
});

describe("signing the chain head", () => {
  it("has a key: the test run makes one", () => {
    expect(key.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it("signs the head once, with a signature the public key verifies, and again only after the log grew", async () => {
    await append("test.checkpoint-1");
    const first = await signAuditCheckpoint();
    expect(first.signed).toBe(true);
    const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    const checkpoint = first.checkpoint!;
    expect(checkpoint).toMatchObject({
      headSeq: head.lastSeq.toString(),
      headHash: head.lastHash,
      eventCount: head.lastSeq.toString(),
      keyId: key.keyId,
    });
    expect(verifyText(key.publicKey, checkpointText(checkpoint), checkpoint.signature)).toBe(true);
    expect(checkCheckpointSignature(checkpoint, key)).toBe("valid");
    // The recording time is the database's; the signing time the worker's, within seconds of it.
    expect(Math.abs(Date.parse(checkpoint.recordedAt) - Date.parse(checkpoint.signedAt))).toBeLessThan(5_000);

    expect(await signAuditCheckpoint()).toMatchObject({ signed: false, reason: "already_signed", checkpoint: { id: checkpoint.id } });
    await append("test.checkpoint-2");
    const second = await signAuditCheckpoint();
    expect(second.signed).toBe(true);
    expect(BigInt(second.checkpoint!.headSeq)).toBe(BigInt(checkpoint.headSeq) + 1n);
  });

  it("is the worker's scheduled job, and does nothing without a key", async () => {
    await append("test.checkpoint-job");
    expect(
      await HANDLERS[QUEUES.signAuditCheckpoint]({ id: randomUUID(), name: QUEUES.signAuditCheckpoint, data: {} } as never, {
        workerId: "test",
      }),
    ).toMatchObject({
      signed: expect.any(String),
    });
    expect(await signAuditCheckpoint({ key: null })).toMatchObject({ signed: false, reason: "no_key" });
  });

  it("counts the checkpoints in a verification of the chain", async () => {
    const report = await verifyAuditChain();
    expect(report.ok).toBe(true);
    expect(report.checkpoints.count).toBeGreaterThanOrEqual(3);
    expect(report.checkpoints.matching).toBe(report.checkpoints.count);
    expect(report.summary).toMatch(/Signed checkpoints: \d+ of \d+ verified; the newest covers event #\d+/);
  });
});

describe("what the app role may do with checkpoints", () => {
  it.each([
    [
      "INSERT INTO audit_checkpoint (head_seq, head_event_id, head_hash, event_count, signed_at, recorded_at, key_id, signature) SELECT seq, id, hash, seq, now(), now(), 'k', 's' FROM audit_event LIMIT 1",
    ],
    ["UPDATE audit_checkpoint SET signature = 'x'"],
    ["DELETE FROM audit_checkpoint"],
    ["TRUNCATE audit_checkpoint"],
  ])("is refused: %s", async (sql) => {
    await expect(app.query(sql)).rejects.toThrow(/permission denied for table audit_checkpoint/);
  });

  async function record(overrides: Partial<{ seq: string; hash: string; signedAt: string; keyId: string; signature: string }> = {}) {
    const { rows } = await app.query<{ last_seq: string; last_hash: string }>("SELECT last_seq::text, last_hash FROM audit_chain_head");
    const a = {
      seq: rows[0]!.last_seq,
      hash: rows[0]!.last_hash,
      signedAt: new Date().toISOString(),
      keyId: key.keyId,
      signature: randomBytes(64).toString("base64"),
      ...overrides,
    };
    return app.query("SELECT record_audit_checkpoint($1::bigint, $2, $3::timestamptz, $4, $5)", [
      a.seq,
      a.hash,
      a.signedAt,
      a.keyId,
      a.signature,
    ]);
  }

  it.each([
    ["a hash the event does not have", { hash: "f".repeat(64) }, /does not have that hash/],
    ["an event that does not exist", { seq: "999999999" }, /does not have that hash/],
    ["a backdated signing time", { signedAt: "2020-01-01T00:00:00Z" }, /within five minutes/],
    ["a signing time in the future", { signedAt: new Date(Date.now() + 3_600_000).toISOString() }, /within five minutes/],
    ["a malformed key id", { keyId: "not-a-key" }, /16 hex digits/],
    ["a signature of the wrong size", { signature: "c2hvcnQ=" }, /64 bytes/],
  ])("refuses a checkpoint with %s", async (_what, overrides, message) => {
    await expect(record(overrides)).rejects.toThrow(message);
  });

  it("refuses a checkpoint behind the latest one", async () => {
    await append("test.checkpoint-behind-1");
    await append("test.checkpoint-behind-2");
    await signAuditCheckpoint();
    const { rows } = await app.query<{ seq: string; hash: string }>(
      "SELECT seq::text, hash FROM audit_event WHERE seq = (SELECT max(head_seq) - 1 FROM audit_checkpoint)",
    );
    await expect(record({ seq: rows[0]!.seq, hash: rows[0]!.hash })).rejects.toThrow(/behind the latest checkpoint/);
  });
});

describe("a log older than the database's own hashing, signed, then rewritten", () => {
  // A database of its own: the migrations before decision 035, events appended as the old app did (hash rule 1),
  // then the rest of the migrations and events under rule 2.
  const adminUrl = withDatabase(adminDatabaseUrl(), `scopedesk_hashrules_${process.pid}`);
  const ownerUrl = asRole(adminUrl, OWNER_ROLE);
  let dir: string;
  let prisma: PrismaClient;
  const otherKey = parseAuditSigningKey(generateAuditSigningKeyPem());

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "scopedesk-rule1-migrations-"));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    for (const name of await readdir(dir)) if (name >= "20261204130000") await rm(path.join(dir, name), { recursive: true });
    await recreateDatabase(adminUrl, OWNER_ROLE);
    await migrate(ownerUrl, { dir });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: asRole(adminUrl, APP_ROLE), max: 2 }) });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await rm(dir, { recursive: true, force: true });
    await withPg(withDatabase(adminUrl, "postgres"), (c) =>
      c.query(`DROP DATABASE IF EXISTS "${new URL(adminUrl).pathname.slice(1)}" WITH (FORCE)`),
    );
  });

  it("verifies across the change of hash rule, and catches a consistent rewrite and a forged checkpoint", async () => {
    // Three events the way the app appended them before: it built the canonical text around the seq.
    await withPg(ownerUrl, async (c) => {
      for (let i = 1; i <= 3; i++) {
        const content = {
          id: randomUUID(),
          occurredAt: new Date(Date.UTC(2026, 10, 1, 9, 0, i)),
          actorId: null,
          actorName: `Rule one ${i}`,
          actorEmail: null,
          action: "test.rule1",
          targetType: null,
          targetId: null,
          ticketId: null,
          details: { i, price: 1.5 },
          ip: null,
          userAgent: null,
          requestId: `rule1-${i}`,
        };
        const text = auditEventCanonical({ ...content, seq: 0n });
        const at = text.lastIndexOf('"seq":"0"');
        await c.query(
          `SELECT append_audit_event($1, $2, NULL, $3, NULL, 'test.rule1', NULL, NULL, NULL, $4::jsonb, NULL, NULL, $5, $6, $7)`,
          [
            content.id,
            content.occurredAt,
            content.actorName,
            JSON.stringify(content.details),
            content.requestId,
            text.slice(0, at + 7),
            text.slice(at + 8),
          ],
        );
      }
    });
    await migrateAndGrant(ownerUrl, asRole(adminUrl, APP_ROLE));
    for (let i = 1; i <= 2; i++) {
      await prisma.$transaction((tx) =>
        appendAuditEvent(tx as never, {
          actor: { id: null, name: `Rule two ${i}`, email: null },
          action: "test.rule2",
          details: { i, price: 1.5 },
          meta: requestMeta(),
        }),
      );
    }
    const events = await prisma.auditEvent.findMany({ orderBy: { seq: "asc" } });
    expect(events.map((e) => e.hashVersion)).toEqual([1, 1, 1, 2, 2]);
    const db = prisma as never;
    expect(await verifyAuditChain({ db, key })).toMatchObject({ ok: true, eventsChecked: 5, intactThrough: "5" });

    // Signed at #5. A checkpoint of another key cannot be checked with ours; one whose signature is made up is reported.
    expect(await signAuditCheckpoint({ db, key })).toMatchObject({ signed: true, checkpoint: { headSeq: "5" } });
    expect(await verifyAuditChain({ db, key: otherKey })).toMatchObject({ ok: true, checkpoints: { count: 1, otherKey: 1, matching: 0 } });
    await prisma.$transaction((tx) =>
      appendAuditEvent(tx as never, { actor: { id: null, name: "after", email: null }, action: "test.after", meta: requestMeta() }),
    );
    await withPg(asRole(adminUrl, APP_ROLE), (c) =>
      c.query("SELECT record_audit_checkpoint(6, (SELECT hash FROM audit_event WHERE seq = 6), now(), $1, $2)", [
        key.keyId,
        randomBytes(64).toString("base64"),
      ]),
    );
    const forged = await verifyAuditChain({ db, key });
    expect(forged).toMatchObject({ ok: false, intactThrough: "6", problem: { kind: "signature", seq: "6" } });
    expect(forged.summary).toMatch(
      /^The chain verifies through event #6, but the checkpoint signed .* for event #6 has a signature that does not verify/,
    );

    // Then someone with a superuser's powers (and no key) rewrites #2 and re-hashes everything after it, head included.
    await withPg(adminUrl, async (c) => {
      await c.query("SET session_replication_role = replica");
      const { rows } = await c.query<Record<string, unknown>>(
        `SELECT seq::text, id, occurred_at, actor_id, actor_name, actor_email, action, target_type, target_id, ticket_id, details,
                details::text AS details_text, ip, user_agent, request_id, hash, hash_version FROM audit_event ORDER BY seq`,
      );
      let prev = rows[0]!.hash as string;
      for (const r of rows.slice(1)) {
        const e = {
          seq: BigInt(r.seq as string),
          id: r.id as string,
          occurredAt: r.occurred_at as Date,
          actorId: r.actor_id as string | null,
          actorName: r.seq === "2" ? "Rewritten" : (r.actor_name as string | null),
          actorEmail: r.actor_email as string | null,
          action: r.action as string,
          targetType: r.target_type as string | null,
          targetId: r.target_id as string | null,
          ticketId: r.ticket_id as string | null,
          details: r.hash_version === 1 ? r.details : r.details_text,
          ip: r.ip as string | null,
          userAgent: r.user_agent as string | null,
          requestId: r.request_id as string | null,
        };
        const hash = r.hash_version === 1 ? auditEventHash(prev, e) : auditEventHashV2(prev, e);
        await c.query("UPDATE audit_event SET actor_name = $2, prev_hash = $3, hash = $4 WHERE seq = $1", [r.seq, e.actorName, prev, hash]);
        prev = hash;
      }
      await c.query("UPDATE audit_chain_head SET last_hash = $1", [prev]);
      await c.query("RESET session_replication_role");
    });
    const rewritten = await verifyAuditChain({ db, key });
    expect(rewritten).toMatchObject({ ok: false, problem: { kind: "checkpoint", seq: "5" } });
    expect(rewritten.summary).toMatch(
      /^The first broken event is #5: its hash .* is not the one signed in the checkpoint of .*: the chain up to event #5 was rewritten after that checkpoint was signed/,
    );
  });
});
