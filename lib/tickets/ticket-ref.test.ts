import { describe, expect, it } from "vitest";
import { describeHelpdesk, parseTicketRef, TICKET_REF_MAX_LENGTH, ticketPath, ticketRefSchema, type HelpdeskSite } from "./ticket-ref";

const BASE = "https://scopedesk.zendesk.com";
/** The configured helpdesk and its brand subdomains (one ticket numbering). */
const SITE: HelpdeskSite = { baseUrl: BASE, allowedSubdomains: ["acme", "acme-eu-2", "a", "9x", "a".repeat(63)] };
const ok = (ticketId: string) => ({ ok: true, ticketId, url: `${BASE}/agent/tickets/${ticketId}` });
const parse = (input: string) => parseTicketRef(input, SITE);

function errorOf(input: string): string {
  const r = parse(input);
  if (r.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused, got ticket ${r.ticketId}`);
  return r.error;
}

describe("parseTicketRef: accepted forms", () => {
  it.each([
    ["https://scopedesk.zendesk.com/agent/tickets/123", "123"],
    ["https://acme.zendesk.com/agent/tickets/123", "123"],
    ["https://acme-eu-2.zendesk.com/agent/tickets/123", "123"],
    ["https://a.zendesk.com/agent/tickets/1", "1"],
    ["https://9x.zendesk.com/agent/tickets/7", "7"],
    [`https://${"a".repeat(63)}.zendesk.com/agent/tickets/7`, "7"],
    ["https://acme.zendesk.com/agent/tickets/123/", "123"],
    ["https://acme.zendesk.com/agent/tickets/123?brand=4", "123"],
    ["https://acme.zendesk.com/agent/tickets/123#comment-9", "123"],
    ["https://acme.zendesk.com/agent/tickets/123/?a=1#x", "123"],
    ["https://acme.zendesk.com/agent/tickets/123?", "123"],
    ["HTTPS://ACME.Zendesk.COM/agent/tickets/123", "123"],
    ["#123", "123"],
    ["123", "123"],
    ["1", "1"],
    ["999999999999999", "999999999999999"],
    ["#100000000000000", "100000000000000"],
  ])("%s", (input, id) => {
    expect(parse(input)).toEqual(ok(id));
  });

  it("trims surrounding whitespace, including newlines and tabs", () => {
    expect(parse("  123  ")).toEqual(ok("123"));
    expect(parse("\t#123\n")).toEqual(ok("123"));
    expect(parse("\n https://acme.zendesk.com/agent/tickets/123 \r\n")).toEqual(ok("123"));
  });

  it("builds the url on the configured helpdesk for a brand subdomain, without doubled slashes", () => {
    expect(
      parseTicketRef("https://brand.zendesk.com/agent/tickets/5", { baseUrl: "https://help.example.com///", allowedSubdomains: ["brand"] }),
    ).toEqual({
      ok: true,
      ticketId: "5",
      url: "https://help.example.com/agent/tickets/5",
    });
    expect(parseTicketRef("#5", { baseUrl: "https://help.example.com/", allowedSubdomains: [] })).toMatchObject({
      url: "https://help.example.com/agent/tickets/5",
    });
  });

  it("accepts URLs on the base URL itself, whatever its scheme and port (a development helpdesk), case-insensitively", () => {
    const dev: HelpdeskSite = { baseUrl: "http://localhost:3002", allowedSubdomains: [] };
    expect(parseTicketRef("http://localhost:3002/agent/tickets/4242", dev)).toEqual({
      ok: true,
      ticketId: "4242",
      url: "http://localhost:3002/agent/tickets/4242",
    });
    expect(parseTicketRef("HTTP://LOCALHOST:3002/agent/tickets/7/", dev)).toMatchObject({ ok: true, ticketId: "7" });
    for (const other of [
      "http://localhost:3003/agent/tickets/1",
      "https://localhost:3002/agent/tickets/1",
      "http://127.0.0.1:3002/agent/tickets/1",
      "https://scopedesk.zendesk.com/agent/tickets/1",
    ]) {
      expect(parseTicketRef(other, dev).ok, other).toBe(false);
    }
  });

  it("accepts any Zendesk subdomain only when told to (filters that need just the number)", () => {
    expect(parseTicketRef("https://anyone.zendesk.com/agent/tickets/9", { baseUrl: BASE, allowedSubdomains: "any" })).toEqual(ok("9"));
  });
});

describe("parseTicketRef: other helpdesks are refused, never rewritten", () => {
  it.each([
    "https://other-company.zendesk.com/agent/tickets/4242",
    "https://acme2.zendesk.com/agent/tickets/4242",
    "https://scopedesk-eu.zendesk.com/agent/tickets/1",
  ])("%s", (input) => {
    const result = parseTicketRef(input, { baseUrl: BASE, allowedSubdomains: ["acme"] });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(
        /not on this console's helpdesk\. Enter a ticket URL of https:\/\/scopedesk\.zendesk\.com \(or its brand subdomains acme\.zendesk\.com\)/,
      ),
    });
  });

  it("accepts the base URL's own subdomain without an allow-list", () => {
    expect(parseTicketRef("https://SCOPEDESK.zendesk.com/agent/tickets/3", { baseUrl: BASE, allowedSubdomains: [] })).toEqual(ok("3"));
    expect(parseTicketRef("https://acme.zendesk.com/agent/tickets/3", { baseUrl: BASE, allowedSubdomains: [] }).ok).toBe(false);
  });

  it("names what is expected", () => {
    expect(describeHelpdesk({ baseUrl: `${BASE}/`, allowedSubdomains: [] })).toBe(BASE);
    expect(describeHelpdesk({ baseUrl: BASE, allowedSubdomains: ["a", "b"] })).toBe(
      `${BASE} (or its brand subdomains a.zendesk.com, b.zendesk.com)`,
    );
  });
});

describe("parseTicketRef: refusals", () => {
  it("refuses empty and whitespace-only input", () => {
    expect(errorOf("")).toMatch(/required/);
    expect(errorOf("   \n\t")).toMatch(/required/);
  });

  it(`refuses input longer than ${TICKET_REF_MAX_LENGTH} characters (after trimming)`, () => {
    const long = `https://acme.zendesk.com/agent/tickets/123?${"x".repeat(TICKET_REF_MAX_LENGTH)}`;
    expect(errorOf(long)).toMatch(/too long/);
    // Exactly at the limit is still parsed.
    const atLimit = `https://acme.zendesk.com/agent/tickets/123?${"x".repeat(TICKET_REF_MAX_LENGTH - 43)}`;
    expect(atLimit).toHaveLength(TICKET_REF_MAX_LENGTH);
    expect(parse(atLimit)).toEqual(ok("123"));
    expect(parse(`   ${atLimit}   `)).toEqual(ok("123"));
  });

  it.each([
    ["0", /1 to 15 digits/],
    ["#0", /1 to 15 digits/],
    ["0123", /1 to 15 digits/],
    ["#00", /1 to 15 digits/],
    ["1234567890123456", /1 to 15 digits/],
    ["https://acme.zendesk.com/agent/tickets/0", /1 to 15 digits/],
    ["https://acme.zendesk.com/agent/tickets/012", /1 to 15 digits/],
    ["https://acme.zendesk.com/agent/tickets/1234567890123456", /1 to 15 digits/],
  ])("refuses bad ticket number %s", (input, message) => {
    expect(errorOf(input)).toMatch(message);
  });

  it.each([
    "http://acme.zendesk.com/agent/tickets/5",
    "ftp://acme.zendesk.com/agent/tickets/5",
    "javascript://acme.zendesk.com/agent/tickets/5",
  ])("refuses non-https scheme %s", (input) => {
    expect(errorOf(input)).toMatch(/https:\/\//);
  });

  it.each([
    "https://evil.example/agent/tickets/5",
    "https://zendesk.com.evil.example/agent/tickets/5",
    "https://acme.zendesk.com.evil.example/agent/tickets/5",
    "https://zendesk.com/agent/tickets/5",
    "https://.zendesk.com/agent/tickets/5",
    "https://a.b.zendesk.com/agent/tickets/5",
    "https://-acme.zendesk.com/agent/tickets/5",
    "https://acme-.zendesk.com/agent/tickets/5",
    "https://ac_me.zendesk.com/agent/tickets/5",
    `https://${"a".repeat(64)}.zendesk.com/agent/tickets/5`,
    "https://acme.zendesk.com.:443/agent/tickets/5",
    "https://acme.zendesk.com:443/agent/tickets/5",
    "https://user@acme.zendesk.com/agent/tickets/5",
    "https://acme.zendesk.com@evil.example/agent/tickets/5",
    "https://acme.zendeskXcom/agent/tickets/5",
    "https://acme.zendesk.co/agent/tickets/5",
    "https:///agent/tickets/5",
  ])("refuses host %s", (input) => {
    expect(errorOf(input)).toMatch(/zendesk\.com/);
  });

  it.each([
    "https://acme.zendesk.com",
    "https://acme.zendesk.com/",
    "https://acme.zendesk.com/agent/tickets",
    "https://acme.zendesk.com/agent/tickets/",
    "https://acme.zendesk.com/agent/tickets/5//",
    "https://acme.zendesk.com/agent/tickets/5/events",
    "https://acme.zendesk.com/agent/tickets/abc",
    "https://acme.zendesk.com/agent/tickets/-5",
    "https://acme.zendesk.com/agent/tickets/5.0",
    "https://acme.zendesk.com/agent/users/5",
    "https://acme.zendesk.com/Agent/Tickets/5",
    "https://acme.zendesk.com/hc/requests/5",
    "https://acme.zendesk.com//agent/tickets/5",
    "https://acme.zendesk.com/x/agent/tickets/5",
  ])("refuses path %s", (input) => {
    expect(errorOf(input)).toMatch(/\/agent\/tickets\/123/);
  });

  it.each([
    "abc",
    "# 123",
    "##123",
    "1 2",
    "12 3",
    "-5",
    "+5",
    "5.0",
    "1e3",
    "0x10",
    "#",
    "ticket 5",
    "１２３", // full-width digits
    "acme.zendesk.com/agent/tickets/5",
    "//acme.zendesk.com/agent/tickets/5",
    "https://acme.zendesk.com/agent/tickets/5 extra",
    "https://acme.zendesk.com/agent/tickets/5?a=1\nb",
    "https://acme.zendesk.com/agent/tickets/\u00005",
  ])("refuses anything else: %j", (input) => {
    expect(parse(input).ok).toBe(false);
  });

  it("never echoes the input and always says which forms are accepted", () => {
    const inputs = ["<script>alert(1)</script>", "http://evil.example/agent/tickets/5", "0", "", "x".repeat(600), "https://evil.example/x"];
    for (const input of inputs) {
      const error = errorOf(input);
      expect(error).toContain(`Enter a ticket URL of ${describeHelpdesk(SITE)} (…/agent/tickets/123), #123 or 123.`);
      expect(error).not.toContain("script");
      expect(error).not.toContain("evil");
    }
  });
});

describe("ticketRefSchema", () => {
  const schema = ticketRefSchema({ baseUrl: `${BASE}/`, allowedSubdomains: ["acme"] });

  it("transforms accepted input into { ticketId, url }", () => {
    expect(schema.parse(" #42 ")).toEqual({ ticketId: "42", url: `${BASE}/agent/tickets/42` });
    expect(schema.parse("https://acme.zendesk.com/agent/tickets/42?x=1")).toEqual({
      ticketId: "42",
      url: `${BASE}/agent/tickets/42`,
    });
  });

  it("reports the parse error as the issue message", () => {
    const result = schema.safeParse("https://evil.example/agent/tickets/5");
    expect(result.success).toBe(false);
    expect(result.error?.issues).toHaveLength(1);
    const direct = parseTicketRef("https://evil.example/agent/tickets/5", { baseUrl: `${BASE}/`, allowedSubdomains: ["acme"] });
    expect(direct.ok).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(!direct.ok && direct.error);
  });

  it("refuses non-strings with the accepted-forms message", () => {
    for (const input of [undefined, null, 42, {}]) {
      const result = schema.safeParse(input);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/#123 or 123\.$/);
    }
  });
});

describe("ticketPath", () => {
  it("is the console path of the ticket", () => {
    expect(ticketPath("123")).toBe("/tickets/123");
  });

  it("encodes anything that is not a plain id", () => {
    expect(ticketPath("../x?y")).toBe("/tickets/..%2Fx%3Fy");
  });
});
