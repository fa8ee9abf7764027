import { describe, expect, it } from "vitest";
import { checkAddresses, invalidAddressMessage, isStructurallyValidEmail, normalizeEmailAddress } from "./addresses";

describe("isStructurallyValidEmail", () => {
  it.each([
    "jane@example.com",
    "Jane.Doe@Example.COM",
    "o'brien+news@mail.example.co.uk",
    "a@b.io",
    "x_y-z@sub-domain.example",
    "1234@xn--bcher-kva.example",
    `${"a".repeat(64)}@example.com`,
  ])("accepts %s", (address) => {
    expect(isStructurallyValidEmail(address)).toBe(true);
  });

  it.each([
    "",
    "plainaddress",
    "@example.com",
    "jane@",
    "jane@example",
    "jane@@example.com",
    "jane@exa mple.com",
    " jane@example.com",
    "jane@example.com ",
    "jane..doe@example.com",
    ".jane@example.com",
    "jane.@example.com",
    "jane@-example.com",
    "jane@example-.com",
    "jane@example..com",
    "jane@192.168.0.1",
    "jane@[192.168.0.1]",
    '"jane doe"@example.com',
    "jäne@example.com",
    "jane@exämple.com",
    `${"a".repeat(65)}@example.com`,
    `jane@${"a".repeat(64)}.com`,
    `jane@${Array.from({ length: 60 }, () => "abcd").join(".")}.com`,
    "jane@example.com\n",
  ])("refuses %j", (address) => {
    expect(isStructurallyValidEmail(address)).toBe(false);
  });
});

describe("normalizeEmailAddress", () => {
  it("lower-cases the whole address: the local part too, as every mailbox provider treats it", () => {
    expect(normalizeEmailAddress("Jane.Doe@Example.COM")).toBe("jane.doe@example.com");
    expect(normalizeEmailAddress("CASE.X@example.com")).toBe("case.x@example.com");
  });
});

describe("checkAddresses", () => {
  it("agrees with a regular-expression reading of the same rules", () => {
    const reference =
      /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
    const alphabet = ["a", "Z", "0", ".", "-", "@", "+", "_", " ", "é", "'"];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let n = 0; n < 20_000; n++) {
      const length = 3 + Math.floor(next() * 14);
      const candidate = Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
      const at = candidate.lastIndexOf("@");
      const tld = candidate.slice(candidate.lastIndexOf(".") + 1);
      const expected = reference.test(candidate) && candidate.slice(0, at).length <= 64 && /[A-Za-z]/.test(tld);
      expect(isStructurallyValidEmail(candidate), candidate).toBe(expected);
    }
  });

  it("de-duplicates case-insensitively in full, keeping the first occurrence order", () => {
    expect(checkAddresses(["b@x.io", "A@Example.com", "A@example.COM", "a@example.com", "b@X.IO"])).toEqual({
      ok: true,
      addresses: ["b@x.io", "a@example.com"],
    });
    // The three spellings the issue found erased as three people are one.
    expect(checkAddresses(["case.X@Example.com", "Case.X@example.com", "CASE.X@example.com"])).toEqual({
      ok: true,
      addresses: ["case.x@example.com"],
    });
  });

  it("reports every invalid address once, as given", () => {
    expect(checkAddresses(["ok@example.com", "nope", "also bad@x.io", "nope"])).toEqual({ ok: false, invalid: ["nope", "also bad@x.io"] });
  });

  it("takes 5,000 addresses, lower-casing each that has upper case (speed is measured in bench/, not here)", () => {
    const many = Array.from({ length: 5000 }, (_, i) => `Recipient.${i}@Example${i % 50}.com`);
    const result = checkAddresses(many);
    expect(result.ok && result.addresses.length).toBe(5000);
    expect(result.ok && result.addresses[7]).toBe("recipient.7@example7.com");
  });
});

describe("invalidAddressMessage", () => {
  it("uses the contract's wording", () => {
    expect(invalidAddressMessage("x")).toBe("Email_address x is not valid");
  });

  it("shortens an absurdly long value", () => {
    expect(invalidAddressMessage("y".repeat(10_000)).length).toBeLessThan(400);
  });
});
