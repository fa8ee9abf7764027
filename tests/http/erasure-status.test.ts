import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Client } from "@sendgrid/client";
import { beforeAll, describe, expect, it } from "vitest";
import { runEraseJob } from "@/lib/erasure/run-erase-job";
import { getDb } from "@/lib/platform/db";
import { randomUUID } from "node:crypto";
import {
  createAccount,
  createAccountWithKey,
  createApiKey,
  createMessageActivity,
  POST_CUTOFF_SCOPES,
  PRE_CUTOFF_SCOPES,
} from "../support/factories";
import { BASE_URL, openTicket, signIn } from "../support/http-session";
import { erase, ERASE_STATUS_OPERATION, expectContract, v3 } from "../support/v3-contract";

/**
 * GET /v3/recipients/erasejob/{job_id}: what the reply promises a customer
 * with recipients.erasejob.read. Held to the POST's standard: the contract's
 * error shape and rate-limit headers on every answer, the scope, only jobs
 * of the key's own account (or, with on-behalf-of, those it made for that
 * subuser), 404 for any other, a validated id, never an address.
 */
const db = getDb();
const status = (key: string | null, jobId: string, onBehalfOf?: string) => v3(`/v3/recipients/erasejob/${jobId}`, { key, onBehalfOf });

let owner: { id: number; key: string };

beforeAll(async () => {
  const { account, key } = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES });
  owner = { id: account.id, key: key.plaintext };
});

async function newJob(key: string, addresses: string[], onBehalfOf?: string): Promise<string> {
  const r = await expectContract(await erase(key, addresses, { onBehalfOf }));
  expect(r.status).toBe(202);
  return (r.body as { job_id: string }).job_id;
}

describe("200", () => {
  it("answers a queued job's state and counts, then the done job's, and never its addresses", async () => {
    await createMessageActivity(owner.id, [{ recipientEmail: "gone@example.com" }, { recipientEmail: "GONE@example.com" }]);
    const jobId = await newJob(owner.key, ["gone@example.com", "nobody@example.com"]);
    const queued = await expectContract(await status(owner.key, jobId), ERASE_STATUS_OPERATION);
    expect(queued.status).toBe(200);
    expect(queued.body).toEqual({
      job_id: jobId,
      status: "queued",
      email_address_count: 2,
      records_erased: 0,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      started_at: null,
      finished_at: null,
    });
    expect(JSON.stringify(queued.body)).not.toContain("example.com");

    await runEraseJob(jobId, { finalAttempt: false, workerId: "test" });
    const done = await expectContract(await status(owner.key, jobId.toUpperCase()), ERASE_STATUS_OPERATION);
    expect(done.body).toMatchObject({ job_id: jobId, status: "done", records_erased: 2, finished_at: expect.any(String) });
  });

  it("with on-behalf-of, answers the jobs the parent made for that subuser, and only those", async () => {
    const sub = await createAccount({ scopes: POST_CUTOFF_SCOPES, parentId: owner.id });
    const forSub = await newJob(owner.key, ["a@example.com"], sub.username);
    const own = await newJob(owner.key, ["b@example.com"]);
    expect((await status(owner.key, forSub, sub.username)).status).toBe(200);
    expect((await status(owner.key, forSub, `account-id ${sub.id}`)).status).toBe(200);
    // Each job is seen only in its own context.
    expect((await expectContract(await status(owner.key, forSub), ERASE_STATUS_OPERATION)).status).toBe(404);
    expect((await status(owner.key, own, sub.username)).status).toBe(404);
  });
});

describe("refusals, in the contract's shape", () => {
  it("404 for another account's job, exactly as for one that does not exist", async () => {
    const jobId = await newJob(owner.key, ["c@example.com"]);
    const other = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES });
    const foreign = await expectContract(await status(other.key.plaintext, jobId), ERASE_STATUS_OPERATION);
    const unknown = await expectContract(await status(other.key.plaintext, "0b8f0d2e-8c1e-4a52-9a55-5d1a3c7f9e10"), ERASE_STATUS_OPERATION);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
    expect(foreign.body).toEqual({ errors: [{ message: "No erase job with this job_id for this account", field: "job_id" }] });
  });

  it("403 without recipients.erasejob.read, naming what is missing", async () => {
    const jobId = await newJob(owner.key, ["d@example.com"]);
    const createOnly = await createApiKey(owner.id, { scopes: ["recipients.erasejob.create"] });
    const r = await expectContract(await status(createOnly.plaintext, jobId), ERASE_STATUS_OPERATION);
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body)).toContain("recipients.erasejob.read");
  });

  it.each([
    ["not a UUID", "12345"],
    ["a UUID with junk", "0b8f0d2e-8c1e-4a52-9a55-5d1a3c7f9e10x"],
    ["percent-encoded junk", "%E0%A4%A"],
    ["a NUL", "%00"],
  ])("400 for a job_id that is %s", async (_what, jobId) => {
    const r = await expectContract(await status(owner.key, jobId), ERASE_STATUS_OPERATION);
    expect(r.status).toBe(400);
    expect((r.body as { errors: { field: string }[] }).errors[0]!.field).toMatch(/^(job_id|)$/);
  });

  it("400 for a query parameter, 401 without a key, 405 for other methods", async () => {
    const jobId = await newJob(owner.key, ["e@example.com"]);
    expect(
      (await expectContract(await v3(`/v3/recipients/erasejob/${jobId}?verbose=1`, { key: owner.key }), ERASE_STATUS_OPERATION)).status,
    ).toBe(400);
    expect((await expectContract(await status(null, jobId), ERASE_STATUS_OPERATION)).status).toBe(401);
    const put = await v3(`/v3/recipients/erasejob/${jobId}`, { key: owner.key, method: "DELETE" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET");
  });

  it("counts toward the account's rate limit like every /v3 request", async () => {
    const jobId = await newJob(owner.key, ["f@example.com"]);
    const r = await status(owner.key, jobId);
    expect(Number(r.headers.get("x-ratelimit-remaining"))).toBeLessThan(100);
    expect(r.headers.get("x-ratelimit-limit")).toBe("100");
  });
});

describe("@sendgrid/client", () => {
  it("reads a job's status as a customer's code would, after creating it", async () => {
    const client = new Client();
    client.setApiKey(owner.key);
    client.setDefaultRequest("baseUrl", `${BASE_URL}/`);
    const [, created] = await client.request({
      method: "POST",
      url: "/v3/recipients/erasejob",
      body: { email_addresses: ["g@example.com"] },
    });
    const [response, job] = await client.request({ method: "GET", url: `/v3/recipients/erasejob/${created.job_id}` });
    expect(response.statusCode).toBe(200);
    expect(job).toMatchObject({ job_id: created.job_id, status: expect.stringMatching(/^(queued|running|done)$/), email_address_count: 1 });
    const stored = await db.eraseJob.findUniqueOrThrow({ where: { id: created.job_id } });
    expect(stored.accountId).toBe(owner.id);
  });
});

describe("the README's customer story: after a reset, how the customer gets a key with the erase-job scopes", () => {
  it("the old key stays refused and cannot mint one; the administrator's new key (the app's part: npm run demo:new-key) erases and reads the job", async () => {
    const { account, key: oldKey } = await createAccountWithKey({
      scopes: PRE_CUTOFF_SCOPES,
      keyScopes: PRE_CUTOFF_SCOPES.filter((s) => !s.startsWith("2fa_")),
    });
    const agent = await signIn("agent@scopedesk.test");
    const ticket = await openTicket();
    const detail = (await (await agent.fetch(`/api/accounts/${account.id}`)).json()) as { resetPlan: { previewFingerprint: string } };
    const reset = await agent.fetch(`/api/accounts/${account.id}/scope-resets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ticket: `#${ticket.ticketId}`,
        idempotencyKey: randomUUID(),
        expectedFingerprint: detail.resetPlan.previewFingerprint,
      }),
    });
    expect(reset.status).toBe(201);

    expect((await erase(oldKey.plaintext, ["x@example.com"])).status).toBe(403);
    const minted = await v3("/v3/api_keys", {
      method: "POST",
      key: oldKey.plaintext,
      body: JSON.stringify({ name: "erasure", scopes: ["recipients.erasejob.create", "recipients.erasejob.read"] }),
    });
    expect(minted.status).toBe(403);

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", "scripts/demo-new-key.ts", String(account.id), "Erasure key"],
      { env: process.env },
    );
    const newKey = stdout.trim().split("\n").at(-1)!;
    expect(stdout).toContain("including recipients.erasejob.create and recipients.erasejob.read");
    const scopes = (await (await v3("/v3/scopes", { key: newKey })).json()) as { scopes: string[] };
    expect(scopes.scopes).toEqual(expect.arrayContaining(["recipients.erasejob.create", "recipients.erasejob.read"]));
    // That key may give a further key the erase-job scopes through the API: it has them itself.
    const delegated = await v3("/v3/api_keys", {
      method: "POST",
      key: newKey,
      body: JSON.stringify({ name: "erasure bot", scopes: ["recipients.erasejob.create", "recipients.erasejob.read"] }),
    });
    expect(delegated.status).toBe(201);
    const jobId = await newJob(newKey, ["someone@example.com"]);
    expect((await status(newKey, jobId)).status).toBe(200);
  });
});
