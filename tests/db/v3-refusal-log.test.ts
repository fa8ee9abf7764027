import { Writable } from "node:stream";
import pino from "pino";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/v3/[...path]/route";
import { closePgPool } from "@/lib/platform/pg-pool";
import { createAccount, createApiKey, POST_CUTOFF_SCOPES } from "../support/factories";

// The process's logger (lib/platform/logger.ts) replaced by one that keeps every line here.
const lines: string[] = [];
const holder = globalThis as unknown as { __scopedeskLogger?: pino.Logger };
let previous: pino.Logger | undefined;

beforeAll(() => {
  previous = holder.__scopedeskLogger;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  holder.__scopedeskLogger = pino({ level: "info" }, sink);
});

afterAll(async () => {
  holder.__scopedeskLogger = previous;
  await closePgPool();
});

describe("the log of a refused erase job", () => {
  it("says how many errors and which fields, never an address", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const key = await createApiKey(account.id, { scopes: ["recipients.erasejob.create", "recipients.erasejob.read"] });
    const addresses = ["not-an-address.private-person", "another..bad@example.org", "valid.person@example.org"];
    const response = await POST(
      new NextRequest("http://localhost/v3/recipients/erasejob", {
        method: "POST",
        headers: { authorization: `Bearer ${key.plaintext}`, "content-type": "application/json" },
        body: JSON.stringify({ email_addresses: addresses }),
      }),
    );
    expect(response.status).toBe(400);
    // The customer is told which addresses are invalid; the log is not.
    expect(JSON.stringify(await response.json())).toContain("not-an-address.private-person");
    const refusal = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.msg === "v3 request refused (400)");
    expect(refusal).toMatchObject({ level: 30, status: 400, errors: 2, fields: ["email_addresses"] });
    const logged = lines.join("\n");
    for (const address of addresses) expect(logged).not.toContain(address);
    expect(logged).not.toMatch(/private-person|example\.org/);
  });
});
