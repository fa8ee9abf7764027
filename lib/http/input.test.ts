import { describe, expect, it } from "vitest";
import { findBadJsonText, findBadText, isWellEncoded, queryObject } from "./input";

describe("findBadText", () => {
  it("names the first NUL or lone surrogate, in a value or a field name", () => {
    expect(findBadText({ a: [1, { b: "x\u0000" }] })).toEqual({ where: "body.a[1].b", message: "body.a[1].b contains a NUL character." });
    expect(findBadText({ "k\u0000": 1 })).toEqual({ where: "body", message: "A field name in body contains a NUL character." });
    expect(findBadText({ a: { "\ud800": 1 } })?.message).toBe("A field name in body.a is not valid Unicode (a lone surrogate).");
    expect(findBadText(["ok", "\udc00"], "body")?.where).toBe("body[1]");
    expect(findBadText({ a: ["fine", 1, null, true, { b: "also fine 😀" }] })).toBeNull();
  });

  it("walks a body nested 100,000 deep without running out of stack", () => {
    const depth = 100_000;
    expect(findBadText(JSON.parse("[".repeat(depth) + "]".repeat(depth)))).toBeNull();
    const nested = JSON.parse(`${'{"a":'.repeat(depth)}"x\\u0000"${"}".repeat(depth)}`) as unknown;
    expect(findBadText(nested)?.message).toMatch(/^body(\.a){100000} contains a NUL character\.$/);
  });
});

describe("query and path text", () => {
  it("refuses a repeated parameter and a NUL", () => {
    expect(queryObject(new URLSearchParams("q=a&q=b"))).toMatchObject({ ok: false, problem: { where: "q" } });
    expect(queryObject(new URLSearchParams("q=%00"))).toMatchObject({
      ok: false,
      problem: { message: "The parameter q contains a NUL character." },
    });
    expect(queryObject(new URLSearchParams("q=a&cursor=b"))).toEqual({ ok: true, value: { q: "a", cursor: "b" } });
  });

  it.each(["/accounts/%zz", "/accounts/%", "/tickets/%E0%A4%A", "/x/%C0%AF", "/x/%ED%A0%80"])("finds %s malformed", (path) => {
    expect(isWellEncoded(path)).toBe(false);
  });

  it("takes well-formed escapes", () => {
    expect(isWellEncoded("/tickets/%23123")).toBe(true);
  });
});

describe("findBadJsonText", () => {
  const check = (text: string) => findBadJsonText(text, JSON.parse(text));
  it("finds a NUL or a lone surrogate written as an escape", () => {
    expect(check('{"a":["ok","x\\u0000"]}')?.message).toBe("body.a[1] contains a NUL character.");
    expect(check('{"\\ud800":1}')?.message).toBe("A field name in body is not valid Unicode (a lone surrogate).");
  });
  it("takes text with escapes that decode to good text", () => {
    expect(check('{"a":"caf\\u00e9 \\ud83d\\ude00","b":"\\\\u0000"}')).toBeNull();
  });
  it("agrees with the full walk on text without escapes", () => {
    const text = JSON.stringify({ email_addresses: Array.from({ length: 50 }, (_, i) => `r${i}@example.com`), note: "é 😀" });
    expect(check(text)).toBeNull();
    expect(findBadText(JSON.parse(text))).toBeNull();
  });
});
