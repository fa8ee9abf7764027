import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { isPlatformManagedScope } from "@/lib/scopes/catalog";
import { getDb } from "@/lib/server/db";
import { enqueueEraseJob, listEraseJobs } from "@/lib/server/erasure/jobs";
import { closePgPool } from "@/lib/server/pg-pool";
import { claimNextJob, processNextJob, runWorkerLoop, type WorkerOptions } from "@/lib/server/erasure/worker";
import { createApiKey as createApiKeyV3 } from "@/lib/server/v3/api-keys";
import { authenticateApiKey, resolveActingAccount, type ActingAccount } from "@/lib/server/v3/auth";
import { hitRateLimit } from "@/lib/server/v3/rate-limit";
import { createAccount, createApiKey, createMessageActivity, POST_CUTOFF_SCOPES, PRE_CUTOFF_SCOPES } from "../support/factories";

const db = getDb();
const worker: WorkerOptions = { workerId: "test-worker-1", staleAfterSeconds: 60 };

/** Runs the queue dry (other tests' jobs included), as a worker would. */
async function drain(opts: WorkerOptions = worker) {
  await runWorkerLoop(db, { ...opts, signal: new AbortController().signal, exitWhenIdle: true, onError: (e) => { throw e; } });
}

const activity = (accountId: number) =>
  db.messageActivity.findMany({ where: { accountId }, orderBy: { id: "asc" } });

beforeEach(async () => {
  await drain();
});

afterAll(async () => {
  await closePgPool();
});

describe("erasure worker", () => {
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

  it("is harmless to run twice, and erases in batches with an exact count", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    await createMessageActivity(account.id, Array.from({ length: 7 }, () => ({ recipientEmail: "lee@example.net" })));
    const first = await enqueueEraseJob({ accountId: account.id, onBehalfOfAccountId: null, apiKeyId: null, addresses: ["lee@example.net", "nobody@example.net"] });
    await drain({ ...worker, batchSize: 3 });
    const second = await enqueueEraseJob({ accountId: account.id, onBehalfOfAccountId: null, apiKeyId: null, addresses: ["lee@example.net"] });
    await drain();
    expect(await db.eraseJob.findUniqueOrThrow({ where: { id: first } })).toMatchObject({ status: "done", recordsErased: 7, addressCount: 2 });
    expect(await db.eraseJob.findUniqueOrThrow({ where: { id: second } })).toMatchObject({ status: "done", recordsErased: 0 });
    const rows = await activity(account.id);
    expect(rows.every((r) => r.erasedAt && r.eraseJobId === first)).toBe(true);
  });

  it("takes over a job whose worker stopped sending heartbeats, and leaves a live one alone", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    await createMessageActivity(account.id, [{ recipientEmail: "crash@example.com" }]);
    const stale = await enqueueEraseJob({ accountId: account.id, onBehalfOfAccountId: null, apiKeyId: null, addresses: ["crash@example.com"] });
    const live = await enqueueEraseJob({ accountId: account.id, onBehalfOfAccountId: null, apiKeyId: null, addresses: ["crash@example.com"] });
    await db.$executeRaw`UPDATE erase_job SET status = 'running', attempts = 1, locked_by = 'dead-worker', locked_at = now() - interval '10 minutes', heartbeat_at = now() - interval '10 minutes' WHERE id = ${stale}::uuid`;
    await db.$executeRaw`UPDATE erase_job SET status = 'running', attempts = 1, locked_by = 'busy-worker', locked_at = now(), heartbeat_at = now() WHERE id = ${live}::uuid`;

    await drain();
    expect(await db.eraseJob.findUniqueOrThrow({ where: { id: stale } })).toMatchObject({ status: "done", attempts: 2, recordsErased: 1 });
    expect(await db.eraseJob.findUniqueOrThrow({ where: { id: live } })).toMatchObject({ status: "running", lockedBy: "busy-worker" });

    // Its worker goes silent too: the job is taken over, and finishing it again is harmless.
    await db.$executeRaw`UPDATE erase_job SET heartbeat_at = now() - interval '10 minutes' WHERE id = ${live}::uuid`;
    await drain();
    expect(await db.eraseJob.findUniqueOrThrow({ where: { id: live } })).toMatchObject({ status: "done", recordsErased: 0 });
  });

  it("marks a job failed once it has used up its attempts", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const id = await enqueueEraseJob({ accountId: account.id, onBehalfOfAccountId: null, apiKeyId: null, addresses: ["x@example.com"] });
    await db.$executeRaw`UPDATE erase_job SET attempts = 5 WHERE id = ${id}::uuid`;
    await drain({ ...worker, maxAttempts: 5 });
    const job = await db.eraseJob.findUniqueOrThrow({ where: { id } });
    expect(job.status).toBe("failed");
    expect(job.lastError).toMatch(/gave up after 5 attempts/);
  });

  it("lets several workers share the queue without taking the same job twice", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    await createMessageActivity(account.id, Array.from({ length: 12 }, (_, i) => ({ recipientEmail: `r${i}@example.com` })));
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(await enqueueEraseJob({ accountId: account.id, onBehalfOfAccountId: null, apiKeyId: null, addresses: [`r${i}@example.com`] }));
    }
    // Two "processes": separate clients, separate connections.
    const second = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 4 }) }) as unknown as typeof db;
    try {
      const outcomes = await Promise.all(
        ["w1", "w2", "w3"].map(async (workerId, i) => {
          const client = i === 1 ? second : db;
          const done: string[] = [];
          for (let o = await processNextJob(client, { workerId }); o; o = await processNextJob(client, { workerId })) done.push(o.id);
          return done;
        }),
      );
      const all = outcomes.flat().filter((id) => ids.includes(id));
      expect(all.sort()).toEqual([...ids].sort());
      const jobs = await db.eraseJob.findMany({ where: { id: { in: ids } } });
      expect(jobs.every((j) => j.status === "done" && j.attempts === 1 && j.recordsErased === 1)).toBe(true);
    } finally {
      await second.$disconnect();
    }
  });

  it("claims nothing when the queue is empty", async () => {
    expect(await claimNextJob(db, worker)).toBeNull();
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
    const other = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 5 }) }) as unknown as typeof db;
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

  it.each([null, "", "Bearer", "Basic abc", "Bearer SG.short.key", "Bearer SG.aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"])(
    "refuses %j",
    async (header) => {
      expect(await authenticateApiKey(db, header)).toEqual({ caller: null, limit: null });
    },
  );

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
    await expect(createApiKeyV3(db, await actingWithKey(account.id, PRE_CUTOFF_SCOPES), { name: "x", scopes: ["mail.send", "recipients.erasejob.create"] })).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining("recipients.erasejob.create"),
    });
  });
});

describe("creating API keys follows SendGrid's rules", () => {
  it("never mints a stronger key: the new key's scopes must be within the creating key's effective scopes", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const weak = await actingWithKey(account.id, ["api_keys.create", "mail.send"]);
    await expect(createApiKeyV3(db, weak, { name: "x", scopes: ["mail.send", "recipients.erasejob.create", "api_keys.delete"] })).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/cannot have: api_keys\.delete, recipients\.erasejob\.create$/),
    });
    // Without scopes: everything the creating key may use itself, not the account's 270.
    expect((await createApiKeyV3(db, weak, { name: "all mine" })).scopes).toEqual(["api_keys.create", "mail.send"]);
  });

  it("refuses an empty list and platform-managed scopes", async () => {
    const account = await createAccount({ scopes: [...POST_CUTOFF_SCOPES, "2fa_required"] });
    const full = await actingWithKey(account.id, [...POST_CUTOFF_SCOPES, "2fa_required"]);
    await expect(createApiKeyV3(db, full, { name: "x", scopes: [] })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/at least one scope/) });
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
    const sub = await createAccount({ scopes: ["mail.send", "stats.read", "billing.read", "recipients.erasejob.create"], parentId: parent.id });
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
