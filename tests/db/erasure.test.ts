import { PrismaPg } from "@prisma/adapter-pg";
import { PgBoss } from "pg-boss";
import { PrismaClient } from "@/lib/generated/prisma/client";
import pino from "pino";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { enqueueEraseJob } from "@/lib/erasure/enqueue-erase-job";
import { dispatchAllEraseJobs, dispatchEraseJobs } from "@/lib/erasure/dispatch-erase-jobs";
import { listEraseJobs } from "@/lib/erasure/list-erase-jobs";
import { runEraseJob } from "@/lib/erasure/run-erase-job";
import { bossOptions, stopBoss } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { drainQueues, startWorker } from "@/lib/jobs/run-worker";
import { isPlatformManagedScope } from "@/lib/scopes/catalog";
import { getDb } from "@/lib/platform/db";
import { closePgPool } from "@/lib/platform/pg-pool";
import { createApiKey as createApiKeyV3 } from "@/lib/api-keys/create-api-key";
import { authenticateApiKey, type ActingAccount } from "@/lib/api-keys/authenticate-api-key";
import { resolveActingAccount } from "@/lib/api-keys/resolve-acting-account";
import { hitRateLimit } from "@/lib/api-keys/rate-limit";
import { ownerDb } from "../support/database";
import { createAccount, createApiKey, createMessageActivity, POST_CUTOFF_SCOPES, PRE_CUTOFF_SCOPES } from "../support/factories";

const db = getDb();
const log = pino({ level: "silent" });

/** Works every queue dry (other tests' jobs included), as `npm run worker -- --once` does. */
async function drain(workerId = "test-worker-1") {
  return drainQueues({ connectionString: process.env.DATABASE_URL!, workerId, log });
}

const activity = (accountId: number) => db.messageActivity.findMany({ where: { accountId }, orderBy: { id: "asc" } });

beforeEach(async () => {
  await drain();
});

afterAll(async () => {
  await stopBoss();
  await closePgPool();
});

/** A started pg-boss instance of the worker's kind, stopped afterwards. */
async function withBoss<T>(run: (boss: PgBoss) => Promise<T>): Promise<T> {
  const boss = new PgBoss({ ...bossOptions(process.env.DATABASE_URL!, "sender") });
  await boss.start();
  try {
    return await run(boss);
  } finally {
    await boss.stop({ graceful: false });
  }
}

const bossJobsOf = (eraseJobId: string) =>
  db.$queryRaw<{ id: string; retry_limit: number; heartbeat_seconds: number | null; dead_letter: string | null }[]>`
    SELECT id::text, retry_limit, heartbeat_seconds, dead_letter FROM pgboss.job
    WHERE name = ${QUEUES.eraseRecipients} AND data->>'eraseJobId' = ${eraseJobId}`;

const newJob = async (addresses = ["someone@example.com"]) => {
  const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
  return enqueueEraseJob({ accountId: account.id, onBehalfOfAccountId: null, apiKeyId: null, addresses });
};

describe("erasure outbox relay (decision 019)", () => {
  it("the request writes only its row; the relay sends its pg-boss job once, with the queue's policy and the job's own id", async () => {
    const id = await newJob();
    expect(await bossJobsOf(id)).toEqual([]);
    expect(await db.eraseJob.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "queued", dispatchedAt: null });

    expect(await withBoss((boss) => dispatchAllEraseJobs(boss))).toBe(1);
    const jobs = await bossJobsOf(id);
    expect(jobs).toEqual([{ id, retry_limit: 4, heartbeat_seconds: 30, dead_letter: QUEUES.eraseDead }]);
    expect((await db.eraseJob.findUniqueOrThrow({ where: { id } })).dispatchedAt).toBeInstanceOf(Date);

    // Dispatching again sends nothing more.
    expect(await withBoss((boss) => dispatchAllEraseJobs(boss))).toBe(0);
    expect(await bossJobsOf(id)).toHaveLength(1);
  });

  it("sends each row's job exactly once when relays race, and a burst in several batches", async () => {
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(await newJob([`burst${i}@example.com`]));
    const sent = await withBoss((boss) =>
      Promise.all([
        dispatchEraseJobs(boss, { batchSize: 3 }),
        dispatchEraseJobs(boss, { batchSize: 3 }),
        dispatchEraseJobs(boss, { batchSize: 3 }),
        dispatchEraseJobs(boss, { batchSize: 3 }),
      ]),
    );
    const rest = await withBoss((boss) => dispatchAllEraseJobs(boss));
    expect(sent.reduce((a, b) => a + b, 0) + rest).toBe(7);
    for (const id of ids) expect(await bossJobsOf(id)).toHaveLength(1);
  });

  it("never sends a job for a finished row", async () => {
    const id = await newJob();
    await db.eraseJob.update({ where: { id }, data: { status: "failed", finishedAt: new Date() } });
    expect(await withBoss((boss) => dispatchAllEraseJobs(boss))).toBe(0);
    expect(await bossJobsOf(id)).toEqual([]);
  });

  it("the running worker picks a new request's job up and erases it within seconds", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    await createMessageActivity(account.id, [{ recipientEmail: "relay@example.com" }]);
    const worker = await startWorker({ connectionString: process.env.DATABASE_URL!, workerId: "test-worker-running", log });
    try {
      const id = await enqueueEraseJob({
        accountId: account.id,
        onBehalfOfAccountId: null,
        apiKeyId: null,
        addresses: ["relay@example.com"],
      });
      let status = "queued";
      for (let i = 0; i < 100 && status !== "done"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await db.eraseJob.findUniqueOrThrow({ where: { id } })).status;
      }
      expect(await db.eraseJob.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "done", recordsErased: 1 });
    } finally {
      await worker.stop();
    }
  }, 30_000);
});

describe("erasure worker (pg-boss)", () => {
  it("erases only the requesting account's recipients, never its subusers' or anyone else's", async () => {
    const parent = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const sub = await createAccount({ scopes: POST_CUTOFF_SCOPES, parentId: parent.id });
    const other = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    for (const a of [parent, sub, other]) {
      await createMessageActivity(a.id, [
        { recipientEmail: "jane@example.com", recipientName: "Jane", subject: "Hi Jane", categories: ["x"], ip: "203.0.113.9" },
        { recipientEmail: "jane@EXAMPLE.com" },
        { recipientEmail: "Jane@example.com" },
        { recipientEmail: "bob@example.com" },
      ]);
    }
    const id = await enqueueEraseJob({ accountId: parent.id, onBehalfOfAccountId: null, apiKeyId: null, addresses: ["jane@example.com"] });
    await drain();

    const job = await db.eraseJob.findUniqueOrThrow({ where: { id } });
    expect(job).toMatchObject({ status: "done", recordsErased: 3, addressCount: 1, addresses: "", attempts: 1, lockedBy: null });
    expect(job.finishedAt).not.toBeNull();

    const rows = await activity(parent.id);
    const erased = rows.filter((r) => r.erasedAt);
    expect(erased).toHaveLength(3); // matched case-insensitively in full (decision 009)
    for (const r of erased) {
      expect(r).toMatchObject({ recipientEmail: null, recipientName: null, subject: null, categories: [], ip: null, eraseJobId: id });
      expect(r.sentAt).toBeInstanceOf(Date); // the row (and the sender's counts) stay
    }
    expect(rows.filter((r) => !r.erasedAt).map((r) => r.recipientEmail)).toEqual(["bob@example.com"]);
    for (const a of [sub, other]) expect((await activity(a.id)).every((r) => r.erasedAt === null)).toBe(true);
  });

  it("erases a subuser's recipients when asked on its behalf, and only those", async () => {
    const parent = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const sub = await createAccount({ scopes: POST_CUTOFF_SCOPES, parentId: parent.id });
    await createMessageActivity(parent.id, [{ recipientEmail: "kim@example.org" }]);
    await createMessageActivity(sub.id, [{ recipientEmail: "kim@example.org" }, { recipientEmail: "kim@example.org" }]);
    const id = await enqueueEraseJob({ accountId: parent.id, onBehalfOfAccountId: sub.id, apiKeyId: null, addresses: ["kim@example.org"] });
    await drain();
    expect(await db.eraseJob.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "done", recordsErased: 2 });
    expect((await activity(sub.id)).every((r) => r.erasedAt)).toBe(true);
    expect((await activity(parent.id)).every((r) => !r.erasedAt)).toBe(true);
  });

  it("is harmless to run twice, even at once, and erases in batches with an exact count", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    await createMessageActivity(
      account.id,
      Array.from({ length: 7 }, () => ({ recipientEmail: "lee@example.net" })),
    );
    const first = await enqueueEraseJob({
      accountId: account.id,
      onBehalfOfAccountId: null,
      apiKeyId: null,
      addresses: ["lee@example.net", "nobody@example.net"],
    });
    // Two workers holding the same job (pg-boss handed it on after a stall): the count stays exact.
    const [a, b] = await Promise.all([
      runEraseJob(first, { finalAttempt: false, workerId: "w1", batchSize: 3 }),
      runEraseJob(first, { finalAttempt: false, workerId: "w2", batchSize: 3 }),
    ]);
    expect(a.recordsErased + b.recordsErased).toBe(7);
    await drain(); // the queued pg-boss job finds it done
    const second = await enqueueEraseJob({
      accountId: account.id,
      onBehalfOfAccountId: null,
      apiKeyId: null,
      addresses: ["lee@example.net"],
    });
    await drain();
    expect(await db.eraseJob.findUniqueOrThrow({ where: { id: first } })).toMatchObject({
      status: "done",
      recordsErased: 7,
      addressCount: 2,
    });
    expect(await db.eraseJob.findUniqueOrThrow({ where: { id: second } })).toMatchObject({ status: "done", recordsErased: 0 });
    const rows = await activity(account.id);
    expect(rows.every((r) => r.erasedAt && r.eraseJobId === first)).toBe(true);
  });

  it("gives the job of a worker that died (no more heartbeats) to another worker", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    await createMessageActivity(account.id, [{ recipientEmail: "crash@example.com" }]);
    const id = await enqueueEraseJob({
      accountId: account.id,
      onBehalfOfAccountId: null,
      apiKeyId: null,
      addresses: ["crash@example.com"],
    });
    const url = process.env.DATABASE_URL!;
    await withBoss((boss) => dispatchEraseJobs(boss));
    // The queue expects a heartbeat every 30 s; this job every 10 s (pg-boss's least), so the test takes seconds, not minutes.
    await db.$executeRaw`UPDATE pgboss.job SET heartbeat_seconds = 10, retry_delay = 1, retry_backoff = false WHERE name = ${QUEUES.eraseRecipients} AND data->>'eraseJobId' = ${id}`;
    // A worker takes the job and dies: it never sends a heartbeat nor completes it.
    const dead = new PgBoss(bossOptions(url, "sender"));
    await dead.start();
    try {
      const [held] = await dead.fetch(QUEUES.eraseRecipients, { batchSize: 1 });
      expect(held?.data).toEqual({ eraseJobId: id });
    } finally {
      await dead.stop({ graceful: false });
    }
    // A live worker's supervisor notices the missing heartbeat and puts the job back for retry.
    const live = new PgBoss({ ...bossOptions(url, "worker"), superviseIntervalSeconds: 1, monitorIntervalSeconds: 1 });
    await live.start();
    try {
      let done = false;
      for (let i = 0; i < 40 && !done; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        await drain("test-worker-live");
        done = (await db.eraseJob.findUniqueOrThrow({ where: { id } })).status === "done";
      }
      expect(await db.eraseJob.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "done", recordsErased: 1 });
    } finally {
      await live.stop({ graceful: false });
    }
  }, 60_000);

  it("marks the job failed when its last try fails, and keeps it queued before that", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    await createMessageActivity(account.id, [{ recipientEmail: "x@example.com" }]);
    const id = await enqueueEraseJob({ accountId: account.id, onBehalfOfAccountId: null, apiKeyId: null, addresses: ["x@example.com"] });
    await ownerDb().$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_fail_erasure() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.account_id = ${account.id} THEN RAISE EXCEPTION 'injected erasure failure'; END IF; RETURN NEW; END $$`);
    await ownerDb().$executeRawUnsafe(
      `CREATE TRIGGER test_fail_erasure BEFORE UPDATE ON message_activity FOR EACH ROW EXECUTE FUNCTION test_fail_erasure()`,
    );
    try {
      await expect(runEraseJob(id, { finalAttempt: false, workerId: "w" })).rejects.toThrow(/injected erasure failure/);
      expect(await db.eraseJob.findUniqueOrThrow({ where: { id } })).toMatchObject({
        status: "queued",
        lastError: expect.stringContaining("injected"),
      });
      expect(await runEraseJob(id, { finalAttempt: true, workerId: "w" })).toMatchObject({ status: "failed" });
      expect(await db.eraseJob.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "failed", attempts: 2 });
    } finally {
      await ownerDb().$executeRawUnsafe("DROP TRIGGER IF EXISTS test_fail_erasure ON message_activity");
      await ownerDb().$executeRawUnsafe("DROP FUNCTION IF EXISTS test_fail_erasure()");
    }
    await drain(); // the pg-boss job finds it failed and does nothing more
    expect((await activity(account.id))[0]).toMatchObject({ erasedAt: null, recipientEmail: "x@example.com" });
  });

  it("works nothing when the queue is empty", async () => {
    expect(await drain()).toBe(0);
  });
});

describe("listEraseJobs (console)", () => {
  it("lists jobs for and by the account, never the addresses", async () => {
    const parent = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const sub = await createAccount({ scopes: POST_CUTOFF_SCOPES, parentId: parent.id });
    await enqueueEraseJob({ accountId: parent.id, onBehalfOfAccountId: sub.id, apiKeyId: null, addresses: ["secret.person@example.com"] });
    const forParent = await listEraseJobs(db, parent.id);
    const forSub = await listEraseJobs(db, sub.id);
    expect(forParent.total).toBe(1);
    expect(forSub.jobs[0]).toMatchObject({ status: "queued", addressCount: 1, target: { id: sub.id }, requestedBy: { id: parent.id } });
    expect(JSON.stringify([forParent, forSub])).not.toContain("secret.person");
  });
});

describe("rate limit", () => {
  it("allows exactly the limit across app instances in one window", async () => {
    // Not across a window boundary: wait for the next minute when this one is nearly over.
    const intoWindow = (Date.now() / 1000) % 60;
    if (intoWindow > 55) await new Promise((r) => setTimeout(r, (61 - intoWindow) * 1000));
    const bucket = `test:${process.pid}:${Date.now()}`;
    const other = new PrismaClient({
      adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 5 }),
    }) as unknown as typeof db;
    try {
      const results = await Promise.all(Array.from({ length: 130 }, (_, i) => hitRateLimit(i % 2 ? other : db, bucket)));
      expect(results.filter((r) => !r.limited)).toHaveLength(100);
      expect(results.filter((r) => r.limited).every((r) => r.remaining === 0)).toBe(true);
      expect(Math.min(...results.map((r) => r.remaining))).toBe(0);
      expect(results.every((r) => r.limit === 100 && r.reset >= 1 && r.reset <= 60)).toBe(true);
    } finally {
      await other.$disconnect();
    }
  });
});

describe("schema", () => {
  it("reads and writes the rate-limit table through the client too", async () => {
    const bucket = `schema:${process.pid}:${Date.now()}`;
    const windowStart = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await db.apiRateLimit.create({ data: { bucket, windowStart, count: 3 } });
    expect(await db.apiRateLimit.findUnique({ where: { bucket_windowStart: { bucket, windowStart } } })).toMatchObject({ count: 3 });
  });
});

describe("API key authentication", () => {
  it("uses the key's scopes, never beyond the account's current ones", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const key = await createApiKey(account.id, { scopes: ["mail.send", "recipients.erasejob.create"] });
    const { caller, limit } = await authenticateApiKey(db, `Bearer ${key.plaintext}`);
    expect(caller).toMatchObject({ accountId: account.id, keyId: key.id });
    expect(limit).toMatchObject({ limit: 100, remaining: 99, limited: false });
    const acting = await resolveActingAccount(db, caller!, null);
    expect(acting.scopes).toEqual(["mail.send"]);
  });

  it.each([
    null,
    "",
    "Bearer",
    "Basic abc",
    "Bearer SG.short.key",
    "Bearer SG.aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
  ])("refuses %j", async (header) => {
    expect(await authenticateApiKey(db, header)).toEqual({ caller: null, limit: null });
  });

  it("refuses a known key id with the wrong secret", async () => {
    const account = await createAccount();
    const key = await createApiKey(account.id, { scopes: ["mail.send"] });
    const tampered = `${key.plaintext.slice(0, -1)}${key.plaintext.endsWith("A") ? "B" : "A"}`;
    expect(await authenticateApiKey(db, `Bearer ${tampered}`)).toEqual({ caller: null, limit: null });
    // A wrong secret is not counted against the key's account.
    const rows = await db.apiRateLimit.findMany({ where: { bucket: `account:${account.id}` } });
    expect(rows).toEqual([]);
  });
});

/** The acting account of a request made with a new key of these scopes (authenticated as the pipeline does). */
async function actingWithKey(accountId: number, keyScopes: readonly string[], onBehalfOf: string | null = null): Promise<ActingAccount> {
  const key = await createApiKey(accountId, { scopes: keyScopes });
  const { caller } = await authenticateApiKey(db, `Bearer ${key.plaintext}`);
  return resolveActingAccount(db, caller!, onBehalfOf === null ? null : { kind: "username", username: onBehalfOf });
}

describe("creating API keys", () => {
  it("stores only a hash and refuses scopes the account does not hold", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const created = await createApiKeyV3(db, await actingWithKey(account.id, PRE_CUTOFF_SCOPES), { name: "CI", scopes: ["mail.send"] });
    expect(created).toMatchObject({ name: "CI", scopes: ["mail.send"] });
    const stored = await db.apiKey.findUniqueOrThrow({ where: { id: created.api_key_id }, select: { secretHash: true } });
    expect(stored.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.secretHash).not.toContain(created.api_key.split(".")[2]!);
    await expect(
      createApiKeyV3(db, await actingWithKey(account.id, PRE_CUTOFF_SCOPES), {
        name: "x",
        scopes: ["mail.send", "recipients.erasejob.create"],
      }),
    ).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("recipients.erasejob.create"),
    });
  });
});

describe("creating API keys follows SendGrid's rules", () => {
  it("never mints a stronger key: the new key's scopes must be within the creating key's effective scopes", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const weak = await actingWithKey(account.id, ["api_keys.create", "mail.send"]);
    await expect(
      createApiKeyV3(db, weak, { name: "x", scopes: ["mail.send", "recipients.erasejob.create", "api_keys.delete"] }),
    ).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/cannot have: api_keys\.delete, recipients\.erasejob\.create$/),
    });
    // Without scopes: everything the creating key may use itself, not the account's 270.
    expect((await createApiKeyV3(db, weak, { name: "all mine" })).scopes).toEqual(["api_keys.create", "mail.send"]);
  });

  it("refuses an empty list and platform-managed scopes", async () => {
    const account = await createAccount({ scopes: [...POST_CUTOFF_SCOPES, "2fa_required"] });
    const full = await actingWithKey(account.id, [...POST_CUTOFF_SCOPES, "2fa_required"]);
    await expect(createApiKeyV3(db, full, { name: "x", scopes: [] })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/at least one scope/),
    });
    await expect(createApiKeyV3(db, full, { name: "x", scopes: ["mail.send", "2fa_required"] })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("2fa_required"),
    });
    expect(await db.apiKey.count({ where: { accountId: account.id } })).toBe(1);
  });

  it("bounds a subuser's new key by its parent: no parent-only family, nothing its parent lacks", async () => {
    const parent = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    // Data as the issue found it: a subuser holding more than its parent.
    const sub = await createAccount({ scopes: POST_CUTOFF_SCOPES, parentId: parent.id });
    const acting = await actingWithKey(sub.id, POST_CUTOFF_SCOPES);
    expect(acting.scopes).not.toContain("recipients.erasejob.create");
    expect(acting.scopes.filter((s) => /^(subusers|teammates|sso|billing)\./.test(s))).toEqual([]);
    const created = await createApiKeyV3(db, acting, { name: "sub key" });
    expect(created.scopes).toEqual(acting.scopes.filter((s) => !isPlatformManagedScope(s)));
    await expect(createApiKeyV3(db, acting, { name: "x", scopes: ["billing.read"] })).rejects.toMatchObject({ status: 403 });
  });
});

describe("effective scopes of a subuser", () => {
  it("are key ∩ subuser ∩ parent for a subuser's own key", async () => {
    const parent = await createAccount({ scopes: ["mail.send", "stats.read", "billing.read"] });
    const sub = await createAccount({
      scopes: ["mail.send", "stats.read", "billing.read", "recipients.erasejob.create"],
      parentId: parent.id,
    });
    const acting = await actingWithKey(sub.id, ["mail.send", "billing.read", "recipients.erasejob.create"]);
    expect(acting.scopes).toEqual(["mail.send"]);
    expect(acting.chain.map((h) => h.kind)).toEqual(["key", "account", "parent"]);
  });

  it("are key ∩ parent ∩ subuser on behalf of a subuser", async () => {
    const parent = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const sub = await createAccount({ scopes: PRE_CUTOFF_SCOPES, parentId: parent.id });
    const acting = await actingWithKey(parent.id, POST_CUTOFF_SCOPES, sub.username);
    expect(acting.scopes).not.toContain("recipients.erasejob.create");
    expect(acting.chain.at(-1)).toMatchObject({ kind: "subuser", label: sub.username });
  });
});
