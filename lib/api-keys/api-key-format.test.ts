import { describe, expect, it } from "vitest";
import { apiKeyMatches, generateApiKey, hashApiKey, parseApiKey } from "./api-key-format";

describe("api keys", () => {
  it("generates keys in SendGrid's shape that parse back to their id", () => {
    const key = generateApiKey();
    expect(key.plaintext).toMatch(/^SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(parseApiKey(key.plaintext)).toEqual({ id: key.id });
    expect(key.hash).toBe(hashApiKey(key.plaintext));
  });

  it("refuses malformed keys", () => {
    for (const bad of ["", "SG.", "SG.short.secret", "Bearer x", `SG.${"a".repeat(22)}.${"b".repeat(42)}`]) {
      expect(parseApiKey(bad)).toBeNull();
    }
  });

  it("matches only the key it was hashed from", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(apiKeyMatches(a.plaintext, a.hash)).toBe(true);
    expect(apiKeyMatches(b.plaintext, a.hash)).toBe(false);
    expect(apiKeyMatches(a.plaintext, "not-hex")).toBe(false);
  });
});
