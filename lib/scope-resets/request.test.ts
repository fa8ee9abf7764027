import { describe, expect, it } from "vitest";
import { resetRequestIdentity, scopeResetRequestSchema } from "./request";

const schema = scopeResetRequestSchema("https://scopedesk.zendesk.com");
const valid = {
  ticket: "https://acme.zendesk.com/agent/tickets/4242",
  idempotencyKey: "0b8f0d2e-8c1e-4a52-9a55-5d1a3c7f9e10",
  expectedFingerprint: "a".repeat(64),
};

describe("scopeResetRequestSchema", () => {
  it("normalises the ticket to the canonical helpdesk URL and an empty reason to null", () => {
    const parsed = schema.parse({ ...valid, reason: "   " });
    expect(parsed.ticket).toEqual({ ticketId: "4242", url: "https://scopedesk.zendesk.com/agent/tickets/4242" });
    expect(parsed.reason).toBeNull();
  });

  it("keeps a trimmed reason", () => {
    expect(schema.parse({ ...valid, reason: "  customer insists  " }).reason).toBe("customer insists");
  });

  it.each([
    ["missing ticket", { ...valid, ticket: undefined }, /ticket is required/],
    ["malformed ticket", { ...valid, ticket: "https://evil.example/agent/tickets/1" }, /zendesk\.com/],
    ["short key", { ...valid, idempotencyKey: "abc" }, /idempotencyKey/],
    ["bad fingerprint", { ...valid, expectedFingerprint: "xyz" }, /expectedFingerprint/],
    ["huge reason", { ...valid, reason: "x".repeat(2001) }, /at most 2000/],
    ["wrong type", { ...valid, reason: 42 }, /reason must be a string/],
    ["unknown field", { ...valid, scopes: ["mail.send"] }, /scopes/],
  ])("refuses %s", (_name, input, message) => {
    const result = schema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")).toMatch(message);
  });

  it("refuses a ticket reference longer than the cap before parsing it", () => {
    expect(schema.safeParse({ ...valid, ticket: "1".repeat(501) }).success).toBe(false);
  });
});

describe("resetRequestIdentity", () => {
  it("differs when the account, ticket, preview or reason differs, not when the key does", () => {
    const base = schema.parse(valid);
    const same = resetRequestIdentity(1, base);
    expect(resetRequestIdentity(1, { ...base, idempotencyKey: "another-key-0000000000" })).toBe(same);
    expect(resetRequestIdentity(2, base)).not.toBe(same);
    expect(resetRequestIdentity(1, schema.parse({ ...valid, ticket: "#4243" }))).not.toBe(same);
    expect(resetRequestIdentity(1, schema.parse({ ...valid, reason: "why" }))).not.toBe(same);
    expect(resetRequestIdentity(1, schema.parse({ ...valid, expectedFingerprint: "b".repeat(64) }))).not.toBe(same);
  });
});
