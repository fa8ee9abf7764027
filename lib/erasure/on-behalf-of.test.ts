import { describe, expect, it } from "vitest";
import { parseOnBehalfOf } from "./on-behalf-of";

describe("parseOnBehalfOf", () => {
  it("is null when the header is absent", () => {
    expect(parseOnBehalfOf(null)).toBeNull();
    expect(parseOnBehalfOf(undefined)).toBeNull();
  });

  it.each([
    ["legacy-acme-marketing", { kind: "username", username: "legacy-acme-marketing" }],
    ["  legacy-acme-eu  ", { kind: "username", username: "legacy-acme-eu" }],
    ["account-id 100002", { kind: "account-id", accountId: 100002 }],
    ["Account-ID   42", { kind: "account-id", accountId: 42 }],
  ])("reads %j", (header, expected) => {
    expect(parseOnBehalfOf(header)).toEqual(expected);
  });

  it.each([
    "",
    "   ",
    "account-id",
    "account-id abc",
    "account-id 0",
    "account-id -5",
    "account-id 99999999999",
    "account-id 1.5",
    "two words",
    "x".repeat(129),
    "tab\there",
  ])("refuses %j", (header) => {
    expect(parseOnBehalfOf(header)).toMatchObject({ kind: "invalid" });
  });
});
