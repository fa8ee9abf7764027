import { describe, expect, it } from "vitest";
import { onBehalfOfHeader, ON_BEHALF_OF_MAX_LENGTH } from "./on-behalf-of-header";

describe("the on-behalf-of header at the edge", () => {
  it("passes what may name a subuser, and nothing when absent", () => {
    expect(onBehalfOfHeader.parse(undefined)).toBeNull();
    expect(onBehalfOfHeader.parse("legacy-acme-eu")).toEqual({ kind: "username", username: "legacy-acme-eu" });
    expect(onBehalfOfHeader.parse("account-id 42")).toEqual({ kind: "account-id", accountId: 42 });
  });

  it.each([
    ["5000 characters", "x".repeat(5000), /longer than 150 characters/],
    ["one over the limit", "x".repeat(ON_BEHALF_OF_MAX_LENGTH + 1), /longer than/],
    ["a username over 128 characters", "x".repeat(129), /not a subuser username/],
    ["an empty value", "   ", /empty/],
    ["an account id that is no number", "account-id twelve", /not an account id/],
    ["words", "two words", /not a subuser username/],
  ])("refuses %s, saying what is accepted", (_what, header, message) => {
    const parsed = onBehalfOfHeader.safeParse(header);
    expect(parsed.success).toBe(false);
    const text = parsed.error!.issues[0]!.message;
    expect(text).toMatch(message);
    expect(text).toContain('"account-id <account id>"');
    expect(text.length).toBeLessThan(200);
  });
});
