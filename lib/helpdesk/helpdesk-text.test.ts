import { describe, expect, it } from "vitest";
import { storableField, storableText } from "./helpdesk-text";

describe("text from Zendesk, made storable", () => {
  it("drops NULs and replaces lone surrogates, and keeps everything else", () => {
    expect(storableText("Refund\u0000 please")).toBe("Refund please");
    expect(storableText("half \ud83d pair")).toBe("half \ufffd pair");
    expect(storableText("\udc00 trailing \ud800")).toBe("\ufffd trailing \ufffd");
    expect(storableText("Grüße 👋 <b>&amp;")).toBe("Grüße 👋 <b>&amp;");
  });

  it("cuts to a length without splitting a pair, and keeps null as null", () => {
    expect(storableField(null, 10)).toBeNull();
    expect(storableField(undefined, 10)).toBeNull();
    expect(storableField("abcdef", 3)).toBe("abc");
    expect(storableField("ab👋", 3)).toBe("ab");
    expect(storableField("a\u0000b", 3)).toBe("ab");
  });
});
