import { describe, expect, it } from "vitest";
import { OWN_PATHS, REDIRECT_PAYLOADS } from "@/tests/support/redirect-payloads";
import { MAX_RETURN_PATH_LENGTH, safeRedirectUrl, safeReturnPath } from "./safe-redirect";

/** The value a page sees: the query parameter decoded once, as Next (URLSearchParams) decodes it. */
const asQueryValue = (payload: string) => new URLSearchParams(`callbackUrl=${payload}`).get("callbackUrl")!;
const BASE = "http://localhost:3000";

describe("safeReturnPath", () => {
  it("has a table of at least 30 payloads", () => {
    expect(REDIRECT_PAYLOADS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(REDIRECT_PAYLOADS)("refuses %s", (payload) => {
    expect(safeReturnPath(asQueryValue(payload))).toBe("/");
    expect(safeReturnPath(payload)).toBe("/");
  });

  it.each([
    ["a tab", "/\t/evil.example"],
    ["a line feed", "/\n/evil.example"],
    ["a carriage return", "/\r/evil.example"],
    ["a NUL", "/\0/evil.example"],
    ["a backslash", "/\\/evil.example"],
    ["an ideographic full stop", "/\u3002evil.example"],
    ["a fullwidth full stop", "/\uFF0Eevil.example"],
    ["a zero-width space", "/\u200B/evil.example"],
    ["a line separator", "/\u2028/evil.example"],
    ["a space", "/ /evil.example"],
  ])("refuses %s in the raw text", (_what, raw) => {
    expect(safeReturnPath(raw)).toBe("/");
  });

  it.each([null, undefined, 42, {}, "", "evil.example", "accounts/1"])("refuses %s", (value) => {
    expect(safeReturnPath(value)).toBe("/");
  });

  it.each(OWN_PATHS)("keeps the console's own %s", (path) => {
    expect(safeReturnPath(path)).toBe(path);
    // …also after a round trip through a sign-in link, as requirePageStaff builds it.
    expect(safeReturnPath(asQueryValue(encodeURIComponent(path)))).toBe(path);
  });

  it("refuses a path one character over the limit and keeps one at it", () => {
    const atLimit = `/${"a".repeat(MAX_RETURN_PATH_LENGTH - 1)}`;
    expect(safeReturnPath(atLimit)).toBe(atLimit);
    expect(safeReturnPath(`${atLimit}a`)).toBe("/");
  });

  it("refuses malformed and endlessly nested escapes", () => {
    expect(safeReturnPath("/%zz")).toBe("/");
    expect(safeReturnPath("/%E3%80")).toBe("/");
    expect(safeReturnPath(`/${"%25".repeat(8)}2F`)).toBe("/");
  });
});

describe("safeRedirectUrl (Auth.js redirect callback)", () => {
  it.each(REDIRECT_PAYLOADS)("sends %s to the console's root", (payload) => {
    expect(safeRedirectUrl(asQueryValue(payload), BASE)).toBe(`${BASE}/`);
  });

  it.each(OWN_PATHS)("keeps %s, as a path or as an absolute URL on our origin", (path) => {
    expect(safeRedirectUrl(path, BASE)).toBe(`${BASE}${path}`);
    expect(safeRedirectUrl(`${BASE}${path}`, BASE)).toBe(`${BASE}${path}`);
  });

  it.each([
    "http://localhost:3001/",
    "https://localhost:3000/",
    "http://localhost:3000@evil.example/",
    "http://user:pass@localhost:3000/",
    "http://localhost:3000\t/",
    "http://localhost:3000//evil.example",
    "http://localhost:3000/%09/evil.example",
    "http://evil.example/?http://localhost:3000/",
    "not a url",
  ])("refuses %s", (url) => {
    expect(safeRedirectUrl(url, BASE)).toBe(`${BASE}/`);
  });

  it("answers on the base URL's origin, whatever path it has", () => {
    expect(safeRedirectUrl("/accounts/1", `${BASE}/api/auth`)).toBe(`${BASE}/accounts/1`);
  });
});
