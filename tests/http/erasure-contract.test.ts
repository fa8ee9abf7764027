import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/platform/db";
import {
  createAccount,
  createAccountWithKey,
  createApiKey,
  createMessageActivity,
  POST_CUTOFF_SCOPES,
  PRE_CUTOFF_SCOPES,
} from "../support/factories";
import { anonymousFetch, signIn, type HttpSession } from "../support/http-session";
import { atStartOfWindowIfNeeded, checkAgainstContract, erase, expectContract, v3 } from "../support/v3-contract";

/**
 * POST /v3/recipients/erasejob against the seed contract: every response's
 * status, headers and body are validated with openapi-backend.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const db = getDb();

let modern: { accountId: number; key: string };
let legacy: { accountId: number; key: string };

beforeAll(async () => {
  const m = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES });
  modern = { accountId: m.account.id, key: m.key.plaintext };
  const l = await createAccountWithKey({ scopes: PRE_CUTOFF_SCOPES });
  legacy = { accountId: l.account.id, key: l.key.plaintext };
});

describe("202 Accepted", () => {
  it("queues a job with the unique addresses and answers its id", async () => {
    const r = await expectContract(
      await erase(modern.key, ["Jane@Example.com", "Jane@example.COM", "jane@example.com", "bob@example.org"]),
    );
    expect(r.status).toBe(202);
    const { job_id } = r.body as { job_id: string };
    expect(job_id).toMatch(UUID);
    const job = await db.eraseJob.findUniqueOrThrow({ where: { id: job_id } });
    // One person however the address is written (decision 009).
    expect(job).toMatchObject({ accountId: modern.accountId, onBehalfOfAccountId: null, status: "queued", addressCount: 2 });
    expect(job.addresses.split("\n")).toEqual(["jane@example.com", "bob@example.org"]);
  });

  it("takes 5,000 addresses in one request", async () => {
    const five = Array.from({ length: 5000 }, (_, i) => `recipient.${i}@bulk.example`);
    const r = await expectContract(await erase(modern.key, five));
    expect(r.status).toBe(202);
    const job = await db.eraseJob.findUniqueOrThrow({ where: { id: (r.body as { job_id: string }).job_id } });
    expect(job.addressCount).toBe(5000);
  });
});

describe("401 Unauthorized", () => {
  it.each([
    ["no Authorization header", {}],
    ["a malformed key", { authorization: "Bearer not-a-key" }],
    ["another scheme", { authorization: `Basic ${Buffer.from("user:pass").toString("base64")}` }],
    ["an unknown key", { authorization: "Bearer SG.aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" }],
  ])("for %s, with the contract's body", async (_label, headers) => {
    const r = await expectContract(
      await v3("/v3/recipients/erasejob", { method: "POST", headers, body: JSON.stringify({ email_addresses: ["a@b.io"] }) }),
    );
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ errors: [{ message: "Failed to authenticate", field: "" }] });
  });

  it("for a known key id with a wrong secret", async () => {
    const tampered = modern.key.slice(0, -2) + (modern.key.endsWith("xx") ? "yy" : "xx");
    expect((await expectContract(await erase(tampered, ["a@b.io"]))).status).toBe(401);
  });

  it("never for a staff session: /v3 ignores console cookies", async () => {
    const agent = await signIn("agent@scopedesk.test");
    const r = await expectContract(
      await agent.fetch("/v3/recipients/erasejob", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email_addresses: ["a@b.io"] }),
      }),
    );
    expect(r.status).toBe(401);
  });
});

describe("403 Forbidden", () => {
  it("for a key without recipients.erasejob.create (a pre-cutoff account's key)", async () => {
    const r = await expectContract(await erase(legacy.key, ["a@b.io"]));
    expect(r.status).toBe(403);
    expect((r.body as { errors: { message: string }[] }).errors[0]!.message).toContain("recipients.erasejob.create");
  });

  it("for an old key after the account gained the scopes: keys keep the scopes they were created with", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const oldKey = await createApiKey(account.id, { scopes: PRE_CUTOFF_SCOPES });
    const { ensureScopeSet } = await import("@/lib/scopes/ensure-scope-set");
    const set = await ensureScopeSet(db, POST_CUTOFF_SCOPES);
    await db.account.update({ where: { id: account.id }, data: { scopeSetId: set.id } });
    expect((await expectContract(await erase(oldKey.plaintext, ["a@b.io"]))).status).toBe(403);
    const newKey = await createApiKey(account.id, { scopes: POST_CUTOFF_SCOPES });
    expect((await expectContract(await erase(newKey.plaintext, ["a@b.io"]))).status).toBe(202);
  });

  it("for a key holding the scope that its account no longer has", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const key = await createApiKey(account.id, { scopes: POST_CUTOFF_SCOPES });
    expect((await expectContract(await erase(key.plaintext, ["a@b.io"]))).status).toBe(403);
  });
});

describe("400 Bad Request", () => {
  it("names every invalid address once, in the contract's words", async () => {
    const r = await expectContract(
      await erase(modern.key, ["ok@example.com", "not-an-address", "also@bad@example.com", "not-an-address", "x@y"]),
    );
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      errors: [
        { message: "Email_address not-an-address is not valid", field: "email_addresses" },
        { message: "Email_address also@bad@example.com is not valid", field: "email_addresses" },
        { message: "Email_address x@y is not valid", field: "email_addresses" },
      ],
    });
  });

  it.each([
    ["non-JSON", "{email_addresses: nope", /not valid JSON/],
    ["an empty body", "", /empty/],
    ["a JSON array", "[]", /JSON object/],
    ["a missing list", "{}", /email_addresses is required/],
    ["a string list", JSON.stringify({ email_addresses: "a@b.io" }), /must be an array/],
    ["an empty list", JSON.stringify({ email_addresses: "" }), /at least one/],
    ["numbers in the list", JSON.stringify({ email_addresses: ["a@b.io", 42] }), /only strings/],
    ["5,001 addresses", JSON.stringify({ email_addresses: Array.from({ length: 5001 }, (_, i) => `r${i}@x.io`) }), /at most 5,000/],
    [
      "a payload over 256 KB",
      JSON.stringify({ email_addresses: Array.from({ length: 4000 }, (_, i) => `${"long".repeat(16)}.${i}@example.com`) }),
      /larger than 256 KB/,
    ],
  ])("for %s, with a clear message", async (_label, rawBody, message) => {
    const r = await expectContract(await erase(modern.key, null, { rawBody }));
    expect(r.status).toBe(400);
    expect((r.body as { errors: { message: string }[] }).errors.map((e) => e.message).join(" ")).toMatch(message);
  });
});

describe("on-behalf-of", () => {
  let parent: { id: number; key: string };
  let sub: { id: number; username: string };
  let strangersSub: { id: number; username: string };

  beforeAll(async () => {
    const p = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES });
    parent = { id: p.account.id, key: p.key.plaintext };
    const s = await createAccount({ scopes: POST_CUTOFF_SCOPES, parentId: parent.id });
    sub = { id: s.id, username: s.username };
    const stranger = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const ss = await createAccount({ scopes: POST_CUTOFF_SCOPES, parentId: stranger.id });
    strangersSub = { id: ss.id, username: ss.username };
  });

  it.each([
    ["the subuser's username", () => sub.username],
    ["the username in another case", () => sub.username.toUpperCase()],
    ["account-id <id>", () => `account-id ${sub.id}`],
  ])("acts for the account's own subuser by %s", async (_label, header) => {
    const r = await expectContract(await erase(parent.key, ["kim@example.com"], { onBehalfOf: header() }));
    expect(r.status).toBe(202);
    const job = await db.eraseJob.findUniqueOrThrow({ where: { id: (r.body as { job_id: string }).job_id } });
    expect(job).toMatchObject({ accountId: parent.id, onBehalfOfAccountId: sub.id });
  });

  it.each([
    ["another account's subuser by username", () => strangersSub.username],
    ["another account's subuser by id", () => `account-id ${strangersSub.id}`],
    ["an unknown username", () => "no-such-subuser-anywhere"],
    ["the caller itself", () => `account-id ${parent.id}`],
  ])("is 404 for %s, revealing nothing", async (_label, header) => {
    const r = await expectContract(await erase(parent.key, ["kim@example.com"], { onBehalfOf: header() }));
    expect(r.status).toBe(404);
    expect((r.body as { errors: { field: string }[] }).errors[0]!.field).toBe("on-behalf-of");
  });

  it.each([
    ["a malformed account id", "account-id twelve"],
    ["an empty value", " "],
    ["5000 characters", "x".repeat(5000)],
  ])("is 400 for %s: it cannot name anybody by its form", async (_label, header) => {
    const r = await expectContract(await erase(parent.key, ["kim@example.com"], { onBehalfOf: header }));
    expect(r.status).toBe(400);
    const [error] = (r.body as { errors: { field: string; message: string }[] }).errors;
    expect(error).toMatchObject({ field: "on-behalf-of", message: expect.stringContaining('"account-id <account id>"') });
  });

  it("is 403 when the subuser itself lacks the erase-job scope", async () => {
    const legacySub = await createAccount({ scopes: PRE_CUTOFF_SCOPES, parentId: parent.id });
    const r = await expectContract(await erase(parent.key, ["kim@example.com"], { onBehalfOf: legacySub.username }));
    expect(r.status).toBe(403);
    // The subuser lacks it, not the key: the message says so, and does not blame the key.
    const [error] = (r.body as { errors: { message: string }[] }).errors;
    expect(error!.message).toContain(`the subuser ${legacySub.username} lacks recipients.erasejob.create`);
    expect(error!.message).not.toContain("this API key lacks");
  });
});

describe("429 Too Many Requests", () => {
  it("allows 100 requests a minute per account, with the headers on every response, then 429", async () => {
    await atStartOfWindowIfNeeded();
    const { key } = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES });
    let previous = 100;
    for (let i = 0; i < 99; i++) {
      const response = await v3("/v3/scopes", { key: key.plaintext });
      expect(response.status).toBe(200);
      const remaining = Number(response.headers.get("x-ratelimit-remaining"));
      expect(remaining).toBe(previous - 1);
      previous = remaining;
      await response.arrayBuffer();
    }
    const hundredth = await expectContract(await erase(key.plaintext, ["a@b.io"]));
    expect(hundredth.status).toBe(202);
    expect(hundredth.headers.get("x-ratelimit-remaining")).toBe("0");
    const limited = await expectContract(await erase(key.plaintext, ["a@b.io"]));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-envoy-ratelimited")).toBe("true");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    // Another account is not affected.
    expect((await expectContract(await erase(modern.key, ["a@b.io"]))).status).toBe(202);
  });
});

describe("the worker carries out accepted jobs", () => {
  it("npm run worker erases the account's recipients, and the console shows the job done without the addresses", async () => {
    const { account, key } = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES });
    await createMessageActivity(account.id, [
      { recipientEmail: "erase.me@example.com", recipientName: "Erase Me", subject: "Private subject" },
      { recipientEmail: "erase.me@EXAMPLE.com" },
      { recipientEmail: "keep.me@example.com" },
    ]);
    const accepted = await expectContract(await erase(key.plaintext, ["erase.me@example.com"]));
    expect(accepted.status).toBe(202);
    const jobId = (accepted.body as { job_id: string }).job_id;

    const code = await new Promise<number>((resolve) => {
      const child = spawn("npm", ["run", "--silent", "worker", "--", "--once"], { env: process.env, stdio: "ignore" });
      child.on("exit", (c) => resolve(c ?? 1));
    });
    expect(code).toBe(0);

    expect(await db.eraseJob.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({
      status: "done",
      recordsErased: 2,
      addresses: "",
    });
    const left = await db.messageActivity.findMany({ where: { accountId: account.id, erasedAt: null } });
    expect(left.map((r) => r.recipientEmail)).toEqual(["keep.me@example.com"]);

    const viewer: HttpSession = await signIn("viewer@scopedesk.test");
    const response = await viewer.fetch(`/api/accounts/${account.id}/erase-jobs`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain("erase.me");
    const list = JSON.parse(text) as {
      total: number;
      jobs: { id: string; status: string; addressCount: number; recordsErased: number; finishedAt: string | null }[];
    };
    expect(list.jobs.find((j) => j.id === jobId)).toMatchObject({ status: "done", addressCount: 1, recordsErased: 2 });
  }, 120_000);
});

describe("GET /api/accounts/{id}/erase-jobs (console)", () => {
  it("needs a staff session", async () => {
    expect((await anonymousFetch(`/api/accounts/${modern.accountId}/erase-jobs`)).status).toBe(401);
  });

  it("is 404 for an unknown account and 400 for a malformed id", async () => {
    const agent = await signIn("agent@scopedesk.test");
    expect((await agent.fetch("/api/accounts/999999999/erase-jobs")).status).toBe(404);
    expect((await agent.fetch("/api/accounts/abc/erase-jobs")).status).toBe(400);
  });
});

describe("every /v3 error is contract-shaped", () => {
  it("an unknown /v3 path: 401 without a key, 404 with one", async () => {
    checkAgainstContract(await expectContract(await v3("/v3/no-such-thing")));
    const r = await expectContract(await v3("/v3/no-such-thing", { key: modern.key }));
    expect(r.status).toBe(404);
  });

  it("a known path with a method it does not take: 405 with Allow, after authentication", async () => {
    expect((await v3("/v3/scopes", { method: "DELETE" })).status).toBe(401);
    const own = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES });
    const r = await v3("/v3/scopes", { method: "DELETE", key: own.key.plaintext });
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("GET");
    expect(await r.json()).toEqual({ errors: [{ message: "Method DELETE is not allowed here", field: "" }] });
  });

  it("a body sent in chunks (no Content-Length) over 256 KiB is refused as too large", async () => {
    const big = JSON.stringify({ email_addresses: Array.from({ length: 12_000 }, (_, i) => `someone.number.${i}@example.com`) });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 16_384) controller.enqueue(encoder.encode(big.slice(i, i + 16_384)));
        controller.close();
      },
    });
    const own = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES });
    const r = await v3("/v3/recipients/erasejob", { method: "POST", key: own.key.plaintext, body, duplex: "half" } as RequestInit & {
      duplex: "half";
      key: string;
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ errors: [{ message: "The request body is larger than 256 KB", field: "" }] });
  });
});
