/**
 * Whether a webhook request is Zendesk's: Zendesk signs every request with the
 * webhook's signing secret as base64(HMAC-SHA256(timestamp + body)), where
 * timestamp is the X-Zendesk-Webhook-Signature-Timestamp header as sent (ISO
 * 8601, e.g. 2026-12-04T10:00:00Z) and body the raw bytes
 * (developer.zendesk.com/documentation/webhooks/verifying, decision 031).
 * Compared in constant time; a timestamp older than five minutes (or from the
 * future, beyond a small clock skew) is refused, so a captured request cannot
 * be used later. Replays within the window are refused by the caller
 * (lib/platform/replay-guard.ts) by `replayKey`: the SHA-256 of the HMAC's
 * bytes as computed here, a function of timestamp and body only, so a
 * signature re-encoded another way (base64's unused trailing bits changed)
 * cannot pass as a new request; such an encoding is refused anyway. Pure.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const WEBHOOK_MAX_AGE_MS = 5 * 60_000;
export const WEBHOOK_MAX_FUTURE_MS = 60_000;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

export type WebhookRefusal = "missing_signature" | "malformed_signature" | "malformed_timestamp" | "stale" | "future" | "bad_signature";

export type WebhookCheck = { ok: true; signedAt: Date; replayKey: string } | { ok: false; refusal: WebhookRefusal; message: string };

export function webhookSignature(secret: string, timestamp: string, body: Uint8Array | string): string {
  return createHmac("sha256", secret).update(timestamp, "utf8").update(body).digest("base64");
}

export function verifyWebhookSignature(input: {
  secret: string;
  signature: string | undefined;
  timestamp: string | undefined;
  body: Uint8Array;
  now: number;
}): WebhookCheck {
  const { signature, timestamp } = input;
  if (!signature || !timestamp) {
    return refuse("missing_signature", "The request has no X-Zendesk-Webhook-Signature and X-Zendesk-Webhook-Signature-Timestamp.");
  }
  if (!BASE64_SHA256.test(signature))
    return refuse("malformed_signature", "X-Zendesk-Webhook-Signature is not a base64 SHA-256 signature.");
  if (!ISO_INSTANT.test(timestamp) || Number.isNaN(Date.parse(timestamp))) {
    return refuse("malformed_timestamp", "X-Zendesk-Webhook-Signature-Timestamp is not an ISO 8601 instant.");
  }
  // The signature first, in constant time: the timestamp is only trusted once it is Zendesk's.
  const expected = Buffer.from(webhookSignature(input.secret, timestamp, input.body), "base64");
  const given = Buffer.from(signature, "base64");
  // Base64 of 32 bytes leaves two bits of the last character unused: only the canonical spelling is Zendesk's.
  if (given.toString("base64") !== signature) {
    return refuse("malformed_signature", "X-Zendesk-Webhook-Signature is not a base64 SHA-256 signature in canonical form.");
  }
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return refuse(
      "bad_signature",
      "The signature does not match this request: it was not signed with this webhook's secret, or it was changed.",
    );
  }
  const signedAt = Date.parse(timestamp);
  if (input.now - signedAt > WEBHOOK_MAX_AGE_MS) return refuse("stale", "The request was signed more than five minutes ago.");
  if (signedAt - input.now > WEBHOOK_MAX_FUTURE_MS) return refuse("future", "The request's timestamp is in the future.");
  return { ok: true, signedAt: new Date(signedAt), replayKey: createHash("sha256").update(expected).digest("hex") };
}

function refuse(refusal: WebhookRefusal, message: string): WebhookCheck {
  return { ok: false, refusal, message };
}
