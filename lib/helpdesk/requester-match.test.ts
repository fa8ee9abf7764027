import { describe, expect, it } from "vitest";
import { requesterMatch } from "./requester-match";

describe("requesterMatch", () => {
  const account = { email: "ops@acme-legacy.example", parentEmail: null };
  it("is the account's own contact in any case", () => {
    expect(requesterMatch("OPS@acme-legacy.example", account)).toBe("same");
  });
  it("counts a subuser's parent contact as the account's", () => {
    expect(
      requesterMatch("ops@acme-legacy.example", { email: "marketing@acme-legacy.example", parentEmail: "ops@acme-legacy.example" }),
    ).toBe("same");
  });
  it("tells a colleague (same domain) from a stranger", () => {
    expect(requesterMatch("cfo@acme-legacy.example", account)).toBe("same_domain");
    expect(requesterMatch("someone@other.example", account)).toBe("other");
    expect(requesterMatch(null, account)).toBe("unknown");
  });
});
