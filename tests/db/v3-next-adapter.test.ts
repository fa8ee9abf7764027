import { NextRequest } from "next/server";
import { afterAll, describe, expect, it } from "vitest";
import { GET, POST, DELETE } from "@/app/v3/[...path]/route";
import { getDb } from "@/lib/platform/db";
import { closePgPool } from "@/lib/platform/pg-pool";
import { createAccount, createApiKey, POST_CUTOFF_SCOPES } from "../support/factories";

// `next dev` serves /v3 through this route handler; production through the
// Node server (scripts/server.ts, tested over HTTP). Both mount the one
// pipeline (lib/http/app.ts), so this checks the Next side of it: request
// in, status, headers and body out.
afterAll(async () => {
  await closePgPool();
});

const request = (path: string, init: { method: string; headers?: Record<string, string>; body?: string }) =>
  new NextRequest(`http://localhost${path}`, init);

async function modernKey() {
  const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
  const key = await createApiKey(account.id, { scopes: ["recipients.erasejob.create", "recipients.erasejob.read"] });
  return { account, authorization: `Bearer ${key.plaintext}` };
}

describe("the /v3 route handler used by next dev", () => {
  it("answers 401 in the contract's shape, with the rate-limit headers", async () => {
    const response = await POST(request("/v3/recipients/erasejob", { method: "POST", body: "{}" }));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ errors: [{ message: "Failed to authenticate", field: "" }] });
    expect(response.headers.get("x-ratelimit-limit")).toBe("100");
  });

  it("queues a job with the unique addresses and answers 202", async () => {
    const { account, authorization } = await modernKey();
    const response = await POST(
      request("/v3/recipients/erasejob", {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body: JSON.stringify({ email_addresses: ["kim@example.org", "kim@EXAMPLE.org", "lee@example.org"] }),
      }),
    );
    expect(response.status).toBe(202);
    const { job_id } = (await response.json()) as { job_id: string };
    const job = await getDb().eraseJob.findUniqueOrThrow({ where: { id: job_id } });
    expect(job).toMatchObject({ accountId: account.id, addressCount: 2, status: "queued" });
  });

  it("refuses a body over 256 KiB without reading it all, and a wrong method with Allow", async () => {
    const { authorization } = await modernKey();
    const big = JSON.stringify({ email_addresses: Array.from({ length: 12_000 }, (_, i) => `someone.number.${i}@example.com`) });
    const tooLarge = await POST(request("/v3/recipients/erasejob", { method: "POST", headers: { authorization }, body: big }));
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.json()).toEqual({ errors: [{ message: "The request body is larger than 256 KB", field: "" }] });

    const wrongMethod = await DELETE(request("/v3/scopes", { method: "DELETE", headers: { authorization } }));
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET");

    const unknown = await GET(request("/v3/no/such/thing", { method: "GET", headers: { authorization } }));
    expect(unknown.status).toBe(404);
  });
});
