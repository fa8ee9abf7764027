import { describe, expect, it } from "vitest";
import { familyResetRequestSchema, MAX_FAMILY_SUBUSERS, resetRequestIdentity, scopeResetRequestSchema } from "./request";

// "acme" is a brand subdomain of the configured helpdesk (same ticket numbers).
const HELPDESK = { baseUrl: "https://scopedesk.zendesk.com", allowedSubdomains: ["acme"] };
const schema = scopeResetRequestSchema(HELPDESK);
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

  it("defaults to the default kind of reset, without acknowledgement", () => {
    const parsed = schema.parse(valid);
    expect(parsed.mode).toBe("default");
    expect(parsed.acknowledgedKeyImpact).toBeUndefined();
    expect(schema.parse({ ...valid, mode: "minimal", acknowledgedKeyImpact: "c".repeat(64) })).toMatchObject({
      mode: "minimal",
      acknowledgedKeyImpact: "c".repeat(64),
    });
  });

  it("keeps a trimmed reason", () => {
    expect(schema.parse({ ...valid, reason: "  customer insists  " }).reason).toBe("customer insists");
  });

  it.each([
    ["missing ticket", { ...valid, ticket: undefined }, /ticket is required/],
    [
      "malformed ticket",
      { ...valid, ticket: "https://evil.example/agent/tickets/1" },
      /not on this console's helpdesk.*scopedesk\.zendesk\.com/,
    ],
    [
      "another company's Zendesk",
      { ...valid, ticket: "https://other-company.zendesk.com/agent/tickets/4242" },
      /not on this console's helpdesk/,
    ],
    ["unknown mode", { ...valid, mode: "everything" }, /mode must be default or minimal/],
    ["malformed acknowledgement", { ...valid, acknowledgedKeyImpact: "yes" }, /acknowledgedKeyImpact/],
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
    expect(resetRequestIdentity(1, schema.parse({ ...valid, mode: "minimal" }))).not.toBe(same);
    expect(resetRequestIdentity(1, schema.parse({ ...valid, acknowledgedKeyImpact: "d".repeat(64) }))).not.toBe(same);
  });
});

describe("familyResetRequestSchema", () => {
  const family = familyResetRequestSchema(HELPDESK);
  const member = { expectedFingerprint: "e".repeat(64) };
  const body = { ticket: "#4242", idempotencyKey: valid.idempotencyKey, parent: member, subusers: [{ id: 100002, ...member }] };

  it("takes the parent's and each subuser's confirmation", () => {
    const parsed = family.parse(body);
    expect(parsed.parent).toEqual({ ...member, mode: "default" });
    expect(parsed.subusers).toEqual([{ id: 100002, ...member, mode: "default" }]);
    expect(family.parse({ ...body, parent: null }).parent).toBeNull();
  });

  it.each([
    ["no subusers", { ...body, subusers: [] }, /at least one subuser/],
    [
      "a subuser twice",
      {
        ...body,
        subusers: [
          { id: 1, ...member },
          { id: 1, ...member },
        ],
      },
      /once/,
    ],
    ["too many", { ...body, subusers: Array.from({ length: MAX_FAMILY_SUBUSERS + 1 }, (_, i) => ({ id: i + 1, ...member })) }, /At most/],
    ["a subuser without its fingerprint", { ...body, subusers: [{ id: 5 }] }, /expectedFingerprint/],
    ["a string id", { ...body, subusers: [{ id: "5", ...member }] }, /must be a number/],
    ["unknown fields", { ...body, everything: true }, /everything/],
    ["another helpdesk's ticket", { ...body, ticket: "https://other.zendesk.com/agent/tickets/1" }, /helpdesk/],
  ])("refuses %s", (_name, input, message) => {
    const result = family.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")).toMatch(message);
  });
});
