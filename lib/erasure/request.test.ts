import { describe, expect, it } from "vitest";
import { eraseJobRequestSchema } from "./request";

const messages = (input: unknown) => {
  const parsed = eraseJobRequestSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
};

describe("eraseJobRequestSchema", () => {
  it("yields unique normalized addresses", () => {
    expect(eraseJobRequestSchema.parse({ email_addresses: ["Jane@Example.com", "Jane@example.com", "joe@x.io"] })).toEqual({
      emailAddresses: ["jane@example.com", "joe@x.io"],
    });
  });

  it("ignores properties it does not know", () => {
    expect(eraseJobRequestSchema.parse({ email_addresses: ["a@b.io"], extra: 1 })).toEqual({ emailAddresses: ["a@b.io"] });
  });

  it("gives one issue per invalid address, on email_addresses, in the contract's words", () => {
    expect(messages({ email_addresses: ["ok@x.io", "bad", "worse@", "bad"] })).toEqual([
      { path: "email_addresses", message: "Email_address bad is not valid" },
      { path: "email_addresses", message: "Email_address worse@ is not valid" },
    ]);
  });

  it.each([
    ["a missing list", {}, "email_addresses is required"],
    ["a string", { email_addresses: "a@b.io" }, "email_addresses must be an array of e-mail address strings"],
    ["an empty list", { email_addresses: [] }, "email_addresses must contain at least one address"],
    ["a number in the list", { email_addresses: ["a@b.io", 5] }, "email_addresses must contain only strings"],
    [
      "5,001 addresses",
      { email_addresses: Array.from({ length: 5001 }, (_, i) => `r${i}@x.io`) },
      "email_addresses may contain at most 5,000 addresses",
    ],
    ["an array body", [], "The request body must be a JSON object with an email_addresses array"],
    ["null", null, "The request body must be a JSON object with an email_addresses array"],
  ])("refuses %s clearly", (_label, input, message) => {
    expect(messages(input).map((m) => m.message)).toContain(message);
  });

  it("accepts exactly 5,000 addresses", () => {
    const five = Array.from({ length: 5000 }, (_, i) => `r${i}@x.io`);
    expect(eraseJobRequestSchema.parse({ email_addresses: five }).emailAddresses).toHaveLength(5000);
  });
});
