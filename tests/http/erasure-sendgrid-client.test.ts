import { Client } from "@sendgrid/client";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/platform/db";
import { createAccount, createAccountWithKey, POST_CUTOFF_SCOPES, PRE_CUTOFF_SCOPES } from "../support/factories";
import { BASE_URL } from "../support/http-session";
import { checkAgainstContract } from "../support/v3-contract";

/**
 * The customer's view: SendGrid's own Node client (@sendgrid/client) pointed
 * at Scopedesk, as a customer would point it at api.sendgrid.com.
 */
function clientFor(key: string, onBehalfOf?: string): Client {
  const client = new Client();
  client.setApiKey(key); // sets the base URL to api.sendgrid.com …
  client.setDefaultRequest("baseUrl", `${BASE_URL}/`); // … so point it here afterwards
  if (onBehalfOf) client.setImpersonateSubuser(onBehalfOf);
  return client;
}

interface ResponseErrorLike {
  code: number;
  response: { headers: Record<string, string>; body: unknown };
}

async function failure(promise: Promise<unknown>): Promise<ResponseErrorLike> {
  try {
    await promise;
  } catch (error) {
    return error as ResponseErrorLike;
  }
  throw new Error("expected the request to fail");
}

const asHeaders = (h: Record<string, unknown>) => new Headers(Object.entries(h).map(([k, v]): [string, string] => [k, String(v)]));

let owner: { id: number; key: string };

beforeAll(async () => {
  const { account, key } = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES });
  owner = { id: account.id, key: key.plaintext };
});

describe("@sendgrid/client against /v3", () => {
  it("GET /v3/scopes lists the key's scopes", async () => {
    const [response, body] = await clientFor(owner.key).request({ method: "GET", url: "/v3/scopes" });
    expect(response.statusCode).toBe(200);
    expect(body.scopes).toEqual([...POST_CUTOFF_SCOPES].sort());
    expect(response.headers["x-ratelimit-limit"]).toBe("100");
  });

  it("creates a key (secret shown once), lists keys without secrets, and the new key erases", async () => {
    const client = clientFor(owner.key);
    const [created, key] = await client.request({
      method: "POST",
      url: "/v3/api_keys",
      body: { name: "Erasure bot", scopes: ["recipients.erasejob.create", "recipients.erasejob.read"] },
    });
    expect(created.statusCode).toBe(201);
    expect(key).toMatchObject({ name: "Erasure bot", scopes: ["recipients.erasejob.create", "recipients.erasejob.read"] });
    expect(key.api_key).toMatch(/^SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(key.api_key.split(".")[1]).toBe(key.api_key_id);

    const [, list] = await client.request({ method: "GET", url: "/v3/api_keys" });
    expect(list.result).toContainEqual({ api_key_id: key.api_key_id, name: "Erasure bot" });
    expect(JSON.stringify(list)).not.toContain(key.api_key);
    const stored = await getDb().apiKey.findUniqueOrThrow({ where: { id: key.api_key_id }, select: { secretHash: true } });
    expect(stored.secretHash).not.toContain(key.api_key.split(".")[2]);

    const [accepted, job] = await clientFor(key.api_key).request({
      method: "POST",
      url: "/v3/recipients/erasejob",
      body: { email_addresses: ["customer@example.com"] },
    });
    expect(accepted.statusCode).toBe(202);
    checkAgainstContract({ status: accepted.statusCode, headers: asHeaders(accepted.headers), body: job });
  });

  it("refuses to create a key with scopes the account lacks, naming them", async () => {
    const { key } = await createAccountWithKey({ scopes: PRE_CUTOFF_SCOPES });
    const error = await failure(
      clientFor(key.plaintext).request({
        method: "POST",
        url: "/v3/api_keys",
        body: { name: "x", scopes: ["mail.send", "recipients.erasejob.create", "recipients.erasejob.read"] },
      }),
    );
    expect(error.code).toBe(403);
    const message = (error.response.body as { errors: { message: string }[] }).errors[0]!.message;
    expect(message).toContain("recipients.erasejob.create, recipients.erasejob.read");
    expect(message).not.toContain("mail.send");
  });

  it("without scopes, a new key gets every scope the account holds except platform-managed ones", async () => {
    const [, key] = await clientFor(owner.key).request({ method: "POST", url: "/v3/api_keys", body: { name: "Full" } });
    expect(key.scopes).toContain("recipients.erasejob.create");
    expect(key.scopes.some((s: string) => s.startsWith("2fa_"))).toBe(false);
  });

  it("needs api_keys.create / api_keys.read to manage keys", async () => {
    const { key } = await createAccountWithKey({ scopes: POST_CUTOFF_SCOPES, keyScopes: ["recipients.erasejob.create"] });
    expect((await failure(clientFor(key.plaintext).request({ method: "POST", url: "/v3/api_keys", body: { name: "x" } }))).code).toBe(403);
    expect((await failure(clientFor(key.plaintext).request({ method: "GET", url: "/v3/api_keys" }))).code).toBe(403);
  });

  it("refuses a bad name with 400", async () => {
    const error = await failure(clientFor(owner.key).request({ method: "POST", url: "/v3/api_keys", body: { name: "   " } }));
    expect(error.code).toBe(400);
  });

  it("acts for a subuser with setImpersonateSubuser (the on-behalf-of header)", async () => {
    const sub = await createAccount({ scopes: POST_CUTOFF_SCOPES, parentId: owner.id });
    const [accepted, body] = await clientFor(owner.key, sub.username).request({
      method: "POST",
      url: "/v3/recipients/erasejob",
      body: { email_addresses: ["someone@example.com"] },
    });
    expect(accepted.statusCode).toBe(202);
    const job = await getDb().eraseJob.findUniqueOrThrow({ where: { id: body.job_id } });
    expect(job.onBehalfOfAccountId).toBe(sub.id);
  });

  it("reports invalid addresses as the contract says", async () => {
    const error = await failure(
      clientFor(owner.key).request({
        method: "POST",
        url: "/v3/recipients/erasejob",
        body: { email_addresses: ["fine@example.com", "broken"] },
      }),
    );
    expect(error.code).toBe(400);
    expect(error.response.body).toEqual({ errors: [{ message: "Email_address broken is not valid", field: "email_addresses" }] });
    checkAgainstContract({ status: 400, headers: asHeaders(error.response.headers), body: error.response.body });
  });

  it("a wrong key is 401", async () => {
    const error = await failure(
      clientFor("SG.aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").request({ method: "GET", url: "/v3/scopes" }),
    );
    expect(error.code).toBe(401);
  });
});
