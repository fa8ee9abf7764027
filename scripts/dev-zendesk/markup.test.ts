import { describe, expect, it } from "vitest";
import { htmlToText, renderMarkdown, sanitizeHtml } from "./markup";

describe("renderMarkdown, as Zendesk renders a comment's body", () => {
  it("makes bullets of +, - and * lines, numbers of numbered lines, and paragraphs of the rest", () => {
    expect(renderMarkdown("Scopes added:\n+ recipients.erasejob.create\n- recipients.erasejob.read\n* mail.send\n\n1. one\n2. two")).toBe(
      "<p>Scopes added:</p>\n<ul><li>recipients.erasejob.create</li><li>recipients.erasejob.read</li><li>mail.send</li></ul>\n<ol><li>one</li><li>two</li></ol>",
    );
  });

  it("pairs underscores even inside words, as Zendesk does, and renders bold, headings and code", () => {
    expect(renderMarkdown("keys: api_keys.create and mail_settings.read")).toBe(
      "<p>keys: api<em>keys.create and mail</em>settings.read</p>",
    );
    expect(renderMarkdown("# Summary\n**2 keys** lose scopes, `a_b_c` stays")).toBe(
      "<h1>Summary</h1>\n<p><strong>2 keys</strong> lose scopes, <code>a_b_c</code> stays</p>",
    );
    expect(renderMarkdown("```\n+ not a bullet\n```")).toBe("<pre><code>+ not a bullet</code></pre>");
  });

  it("takes <user@host> for a tag, which disappears, links URLs in angle brackets, and keeps line breaks", () => {
    expect(renderMarkdown("Reset by <agent@scopedesk.test>.\nSee <https://example.com/x>")).toBe(
      '<p>Reset by .<br>See <a href="https://example.com/x" rel="noreferrer">https://example.com/x</a></p>',
    );
  });

  it("never lets HTML in the body through except allowed tags, escaped text otherwise", () => {
    expect(renderMarkdown(`<script>alert("x")</script> & "quotes" <b>bold</b> 1 < 2`)).toBe(
      "<p> &amp; &quot;quotes&quot; <b>bold</b> 1 &lt; 2</p>",
    );
  });
});

describe("sanitizeHtml and htmlToText", () => {
  it("keeps allowed tags without attributes (href only on links, http(s) or mailto) and drops scripts with their content", () => {
    expect(
      sanitizeHtml(
        '<p class="x" onclick="y()">a<img src=x onerror=alert(1)><style>p{}</style><a href="javascript:1">b</a><a href=\'mailto:a@b.c\'>c</a></p>',
      ),
    ).toBe('<p>a<a>b</a><a href="mailto:a@b.c" rel="noreferrer">c</a></p>');
    expect(sanitizeHtml("<!-- hidden -->&lt;kept&gt; &amp; &#60;")).toBe("&lt;kept&gt; &amp; &lt;");
  });

  it("gives the text of HTML: blocks and breaks as lines, list items as dashes, entities decoded", () => {
    expect(htmlToText("<h1>Title</h1><p>One<br>two &amp; three</p><ul><li>a</li><li>b</li></ul>")).toBe(
      "Title\nOne\ntwo & three\n- a\n- b",
    );
  });
});
