import { describe, expect, it } from "vitest";
import {
  escapeLikePattern,
  LOOKUP_EMPTY_MESSAGE,
  LOOKUP_TOO_LONG_MESSAGE,
  lookupFacets,
  lookupQuerySchema,
  parseLookupQuery,
  type ParsedLookupQuery,
} from "./lookup-query";

function ok(input: string): ParsedLookupQuery {
  const r = parseLookupQuery(input);
  if (!r.ok) throw new Error(`expected ok for ${JSON.stringify(input)}, got ${r.error}`);
  return r;
}

describe("parseLookupQuery", () => {
  it("refuses empty and whitespace-only input with a friendly message", () => {
    for (const input of ["", " ", "\t\n  "]) {
      expect(parseLookupQuery(input)).toEqual({ ok: false, error: "Type an account id, username, e-mail or subuser name." });
    }
    expect(LOOKUP_EMPTY_MESSAGE).toBe("Type an account id, username, e-mail or subuser name.");
  });

  it("refuses more than 254 characters after trimming", () => {
    const tooLong = { ok: false, error: "That is too long to be an account id, username or e-mail (at most 254 characters)." };
    expect(parseLookupQuery("a".repeat(1000))).toEqual(tooLong);
    expect(parseLookupQuery("a".repeat(255))).toEqual(tooLong);
    expect(LOOKUP_TOO_LONG_MESSAGE).toBe(tooLong.error);
    expect(ok("a".repeat(254)).text).toHaveLength(254);
    expect(ok(`   ${"a".repeat(254)}   `).text).toHaveLength(254);
  });

  it("counts an emoji as one character", () => {
    expect(ok("😀".repeat(254)).username).toBe("😀".repeat(254));
    expect(parseLookupQuery("😀".repeat(255)).ok).toBe(false);
  });

  it("trims and lowercases the username, keeping the text as typed", () => {
    expect(ok("  AcmeCorp ")).toEqual({ ok: true, text: "AcmeCorp", username: "acmecorp" });
  });

  it("sets email when there is an @", () => {
    expect(ok(" Jane.Doe@Example.COM ")).toEqual({
      ok: true,
      text: "Jane.Doe@Example.COM",
      email: "jane.doe@example.com",
      username: "jane.doe@example.com",
    });
    expect(ok("@").email).toBe("@");
  });

  it("reads ids: all digits, optional #, positive 32-bit", () => {
    expect(ok("1234")).toEqual({ ok: true, text: "1234", id: 1234, username: "1234" });
    expect(ok("#1234")).toEqual({ ok: true, text: "#1234", id: 1234, username: "#1234" });
    expect(ok("007").id).toBe(7);
    expect(ok("2147483647").id).toBe(2147483647);
    for (const input of [
      "0",
      "#0",
      "2147483648",
      "99999999999999999999999",
      "-5",
      "12a",
      "#",
      "##12",
      "1 2",
      "1.5",
      "1e3",
      "١٢٣",
      "１２３",
    ]) {
      const r = ok(input);
      expect(r.id, input).toBeUndefined();
      expect("id" in r, input).toBe(false);
      expect(r.username).toBe(input.toLowerCase());
    }
  });

  it("accepts SQL metacharacters, quotes, wildcards, backslashes and emoji verbatim", () => {
    expect(ok("'; DROP TABLE account; --")).toEqual({ ok: true, text: "'; DROP TABLE account; --", username: "'; drop table account; --" });
    expect(ok("%_\\")).toEqual({ ok: true, text: "%_\\", username: "%_\\" });
    expect(ok(`"quoted" O'Brien`).username).toBe(`"quoted" o'brien`);
    expect(ok("héllo🚀@exämple.com").email).toBe("héllo🚀@exämple.com");
    expect(ok("\u0000nul").username).toBe("\u0000nul");
  });
});

describe("escapeLikePattern", () => {
  it("escapes backslash, percent and underscore only", () => {
    expect(escapeLikePattern("%_\\")).toBe("\\%\\_\\\\");
    expect(escapeLikePattern("a_b%c\\d")).toBe("a\\_b\\%c\\\\d");
    expect(escapeLikePattern("'; DROP TABLE account; --")).toBe("'; DROP TABLE account; --");
    expect(escapeLikePattern("plain😀")).toBe("plain😀");
    expect(escapeLikePattern("")).toBe("");
  });

  it("round-trips: unescaping gives the original", () => {
    for (const s of ["%_\\", "\\\\%%__", "x\\_y"]) {
      expect(escapeLikePattern(s).replace(/\\(.)/g, "$1")).toBe(s);
    }
  });
});

describe("lookupQuerySchema", () => {
  it("accepts up to 1000 raw characters, whitespace included", () => {
    expect(lookupQuerySchema.parse("a".repeat(1000))).toBe("a".repeat(1000));
    expect(lookupQuerySchema.parse("")).toBe("");
    expect(lookupQuerySchema.parse("  x  ")).toBe("  x  ");
  });

  it("refuses longer input with a clear message", () => {
    const r = lookupQuerySchema.safeParse(" ".repeat(1001));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe("The search text is too long (at most 1000 characters).");
  });

  it("refuses non-strings", () => {
    expect(lookupQuerySchema.safeParse(undefined).error?.issues[0]?.message).toBe("The search text (q) is missing.");
    for (const value of [null, 42, ["a", "b"]]) {
      const r = lookupQuerySchema.safeParse(value);
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toBe("The search text must be a single piece of text.");
    }
  });
});

describe("lookupFacets", () => {
  const facets = (text: string) => lookupFacets(ok(text));

  it("reads a partial e-mail as an e-mail prefix", () => {
    expect(facets("ops@acme")).toEqual({ emailPrefix: "ops@acme", companyContains: false });
  });

  it("reads a domain, with or without its @, as a domain (prefix)", () => {
    expect(facets("acme-legacy.example")).toMatchObject({ domain: "acme-legacy.example" });
    expect(facets("@Acme-Legacy.example")).toEqual({ domain: "acme-legacy.example", companyContains: false });
    expect(facets("acme-legacy")).toMatchObject({ domain: "acme-legacy" });
  });

  it("reads words as a company name, spaces collapsed", () => {
    expect(facets("  Acme   Legacy ")).toEqual({ company: "acme legacy", companyContains: true });
  });

  it("asks for nothing partial from an account id", () => {
    expect(facets("100001")).toEqual({ companyContains: false });
    expect(facets("#100001")).toEqual({ companyContains: false });
  });

  it("asks for nothing partial from text too short to mean anything", () => {
    expect(facets("a")).toEqual({ companyContains: false });
    expect(facets("ab")).toEqual({ company: "ab", companyContains: false });
  });
});
