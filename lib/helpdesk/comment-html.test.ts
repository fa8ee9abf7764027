import { describe, expect, it } from "vitest";
import { htmlToText, renderMarkdown, sanitizeHtml } from "@/scripts/dev-zendesk/markup";
import { draftCustomerReply } from "@/lib/scope-resets/customer-reply";
import { NO_IMPACT, renderAfterNote } from "@/lib/scope-resets/notes";
import { planScopeReset } from "@/lib/scope-resets/plan";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES } from "@/lib/scopes/catalog";
import { escapeHtml, textToZendeskHtml } from "./comment-html";

/** What a reader sees of the HTML: tags gone, entities read, paragraphs as blank lines, <br> as line breaks. */
function visibleText(html: string): string {
  return html
    .replace(/<\/p>\n<p>/g, "\n\n")
    .replace(/<br>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

describe("textToZendeskHtml", () => {
  it("reads exactly as the text: what Markdown would turn into bullets, tags and italics stays as written", () => {
    const text = [
      "Scopes AFTER reset — acme (#1)",
      "Ticket https://acme.zendesk.com/agent/tickets/5 · recorded by Dana (dana@scopedesk.example) at 2026-12-04 10:00:00 UTC",
      "",
      "- a dash line, + a plus line, * a star line",
      "Recorded by <agent@scopedesk.test> & co; mail_settings.address_whitelist.read, api_keys.create",
      "# not a heading, 1. not a list",
      "    indented four spaces (a Markdown code block)",
      "",
      "",
      "Last paragraph with <script>alert(1)</script>",
    ].join("\n");
    const html = textToZendeskHtml(text);
    expect(html).not.toMatch(/<(?!\/?p>|br>|a href=|\/a>)/);
    expect(visibleText(html)).toBe(text.replace(/\n\n\n/, "\n\n"));
    expect(html).toContain("&lt;agent@scopedesk.test&gt; &amp; co");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("makes web addresses links whose text is the address itself, without swallowing the punctuation after them", () => {
    const html = textToZendeskHtml("See https://console.example/scope-resets/abc. Or (http://x.example/a_b?c=1&d=2).");
    expect(html).toBe(
      '<p>See <a href="https://console.example/scope-resets/abc" rel="noreferrer">https://console.example/scope-resets/abc</a>. ' +
        'Or (<a href="http://x.example/a_b?c=1&amp;d=2" rel="noreferrer">http://x.example/a_b?c=1&amp;d=2</a>).</p>',
    );
  });

  it("never lets an address break out of its attribute", () => {
    const html = textToZendeskHtml('https://evil.example/"onmouseover="x');
    expect(html).not.toContain('"onmouseover');
    expect(escapeHtml(`<>&"'`)).toBe("&lt;&gt;&amp;&quot;&#39;");
  });

  it("turns Windows line ends and surrounding blank lines into the same paragraphs", () => {
    expect(textToZendeskHtml("\r\n\r\nHello,\r\n\r\nline one\r\nline two\r\n\r\n")).toBe("<p>Hello,</p>\n<p>line one<br>line two</p>");
  });
});

describe("through the development Zendesk's renderer (scripts/dev-zendesk/markup.ts)", () => {
  // What Zendesk keeps of a text (its plain_body): lines, without blank ones.
  const lines = (text: string) =>
    text
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "")
      .join("\n");

  const plan = planScopeReset({ current: ADMIN_SCOPES.filter((s) => !s.startsWith("recipients.")) });
  const note = renderAfterNote({
    account: { id: 7, username: "acme_mail_ops", email: "ops@acme.example" },
    ticket: { ticketId: "5", url: "https://acme.zendesk.com/agent/tickets/5" },
    actor: { name: "Dana Agent", email: "dana@scopedesk.example" },
    at: new Date("2026-12-04T10:00:00Z"),
    plan,
    reason: "- customer asked\n+ approved by <lead@scopedesk.example>",
    catalogVersion: "seed003-4792643ad264",
    impact: {
      ...NO_IMPACT,
      keysLackingEraseJob: [
        { keyId: "k_1_x", keyName: "prod_key_one", accountId: 7, accountUsername: "acme_mail_ops", missing: [...ERASE_JOB_SCOPES] },
      ],
    },
    resultUrl: "https://console.example/scope-resets/r",
  });
  const reply = draftCustomerReply(
    {
      kind: "reset",
      accounts: [
        {
          id: 7,
          username: "acme_mail_ops",
          role: "account",
          hasEraseJob: true,
          keysLacking: [{ keyId: "k_1_x", keyName: "prod_key_one", subuser: null }],
          keysLost: [],
        },
      ],
      parent: null,
      subusersLacking: [{ id: 8, username: "acme_mail_eu" }],
    },
    { name: "Dana Agent" },
  ).text!;

  it.each([
    ["a ticket note", note],
    ["a customer reply", reply],
  ])("%s sent as escaped HTML reads exactly as written, where sent as Markdown it would not", (_what, text) => {
    const shown = htmlToText(sanitizeHtml(textToZendeskHtml(text)));
    expect(shown).toBe(lines(text));
    expect(htmlToText(renderMarkdown(text))).not.toBe(lines(text));
  });
});
