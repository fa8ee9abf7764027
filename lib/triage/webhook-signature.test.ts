import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyWebhookSignature, webhookSignature, WEBHOOK_MAX_AGE_MS } from "./webhook-signature";

// Zendesk's documented test signing secret (developer.zendesk.com/documentation/webhooks/verifying): it signs the
// requests of the admin's "Test webhook" button. The expected signatures were computed apart from this code, with
//   printf '%s' "$TIMESTAMP$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
const ZENDESK_TEST_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";
const TIMESTAMP = "2026-12-04T10:00:00Z";
const BODY = '{"ticket_id":"4242"}';
const SIGNATURE = "eZYxlcG6dgsLmfKVZrGJwPojB5/HVt073W3Z+/nZPh4=";
const AT = Date.parse(TIMESTAMP);
const bytes = (text: string) => new TextEncoder().encode(text);

const check = (overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) =>
  verifyWebhookSignature({
    secret: ZENDESK_TEST_SECRET,
    signature: SIGNATURE,
    timestamp: TIMESTAMP,
    body: bytes(BODY),
    now: AT + 1000,
    ...overrides,
  });

describe("the Zendesk webhook signature", () => {
  it("is base64(HMAC-SHA256(timestamp + body)) with the signing secret, as Zendesk's test secret pins", () => {
    expect(webhookSignature(ZENDESK_TEST_SECRET, TIMESTAMP, BODY)).toBe(SIGNATURE);
    expect(webhookSignature(ZENDESK_TEST_SECRET, "2021-07-25T10:00:00Z", '{"say": "hello"}')).toBe(
      "gf3v0LzLRHPUnIdhbvwRDVEvzSb07/QN0GYjSNlkBT0=",
    );
    // The other order (body + timestamp) gives another signature, which is refused.
    expect(check({ signature: "CRX08XA/3a7BkuEENne4cz0BWGhXepznu4Zo6bSgCXk=" })).toMatchObject({ ok: false, refusal: "bad_signature" });
  });

  it("accepts a request signed with the secret within five minutes", () => {
    expect(check()).toEqual({ ok: true, signedAt: new Date(AT), replayKey: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(check({ now: AT + WEBHOOK_MAX_AGE_MS })).toMatchObject({ ok: true });
  });

  it("refuses a tampered body, another secret, or a changed timestamp", () => {
    expect(check({ body: bytes('{"ticket_id":"4243"}') })).toMatchObject({ ok: false, refusal: "bad_signature" });
    expect(check({ body: bytes(`${BODY} `) })).toMatchObject({ ok: false, refusal: "bad_signature" });
    expect(check({ secret: "another-webhook-secret-of-44-characters-xx=" })).toMatchObject({ ok: false, refusal: "bad_signature" });
    expect(check({ timestamp: "2026-12-04T10:00:01Z" })).toMatchObject({ ok: false, refusal: "bad_signature" });
  });

  it("refuses a timestamp older than five minutes or in the future, even when the signature is right", () => {
    expect(check({ now: AT + WEBHOOK_MAX_AGE_MS + 1 })).toMatchObject({ ok: false, refusal: "stale" });
    expect(check({ now: AT - 61_000 })).toMatchObject({ ok: false, refusal: "future" });
    expect(check({ now: AT - 30_000 })).toMatchObject({ ok: true });
  });

  it("refuses missing and malformed headers before computing anything", () => {
    expect(check({ signature: undefined })).toMatchObject({ ok: false, refusal: "missing_signature" });
    expect(check({ timestamp: "" })).toMatchObject({ ok: false, refusal: "missing_signature" });
    expect(check({ signature: "not base64" })).toMatchObject({ ok: false, refusal: "malformed_signature" });
    expect(check({ signature: SIGNATURE.slice(0, -2) + "==" })).toMatchObject({ ok: false, refusal: "malformed_signature" });
    expect(check({ timestamp: "1733306400" })).toMatchObject({ ok: false, refusal: "malformed_timestamp" });
    expect(check({ timestamp: "2026-13-44T10:00:00Z" })).toMatchObject({ ok: false, refusal: "malformed_timestamp" });
  });

  it("refuses a signature re-spelled in another base64 form, and keys replays on the signature's bytes", () => {
    // 32 bytes take 43 characters and '='; the 43rd carries 4 bits, so flipping its lowest bit keeps the bytes.
    const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const last = ALPHABET.indexOf(SIGNATURE.at(-2)!);
    const respelled = `${SIGNATURE.slice(0, -2)}${ALPHABET[last ^ 1]}=`;
    expect(respelled).not.toBe(SIGNATURE);
    expect(Buffer.from(respelled, "base64")).toEqual(Buffer.from(SIGNATURE, "base64"));
    expect(check({ signature: respelled })).toMatchObject({ ok: false, refusal: "malformed_signature" });
    // The replay key is a function of the secret, timestamp and body only (the HMAC's bytes), never of a spelling.
    const genuine = check();
    const again = check({ now: AT + 2000 });
    expect(genuine.ok && again.ok && genuine.replayKey === again.replayKey).toBe(true);
    expect(genuine.ok && genuine.replayKey).toBe(createHash("sha256").update(Buffer.from(SIGNATURE, "base64")).digest("hex"));
    const other = check({
      body: bytes('{"ticket_id":"4243"}'),
      signature: webhookSignature(ZENDESK_TEST_SECRET, TIMESTAMP, '{"ticket_id":"4243"}'),
    });
    expect(other.ok && genuine.ok && other.replayKey !== genuine.replayKey).toBe(true);
  });
});
