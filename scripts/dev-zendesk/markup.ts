/**
 * How Zendesk turns a comment into what an agent sees, closely enough to
 * catch texts that do not survive it:
 *  - `body` is Markdown in Zendesk's own flavour: `+ `, `- ` and `* ` lines
 *    become bullets, `1. ` lines numbers, `#` lines headings, ``` fences and
 *    `code` code, `**x**` bold, and `_x_` / `*x*` emphasis, underscores
 *    pairing even inside words (`erasejob_create … api_keys` italicises the
 *    text between), while `<user@host>` is taken for an HTML tag and
 *    disappears (what the issue-20 probes saw in Zendesk);
 *  - `html_body` is sanitised: an allow-list of tags, `href` only on links
 *    and only http(s) or mailto, everything else dropped (script and style
 *    with their content).
 * Hand-written: no Markdown library renders Zendesk's flavour (CommonMark
 * never pairs intraword underscores), and the agents' page it feeds has a
 * CSP without scripts. `plain_body` is the text of the HTML.
 */

const ALLOWED_TAGS = new Set([
  "p",
  "br",
  "strong",
  "b",
  "em",
  "i",
  "u",
  "code",
  "pre",
  "ul",
  "ol",
  "li",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "a",
  "blockquote",
  "hr",
  "div",
  "span",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
]);
const VOID_TAGS = new Set(["br", "hr"]);
const DROPPED_WITH_CONTENT = new Set(["script", "style", "iframe", "object", "embed", "template", "textarea", "title", "noscript"]);
const BLOCK_TAGS = new Set(["p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "tr", "hr"]);

export function escapeText(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// ---------------------------------------------------------------------------
// Markdown (body → html_body)

/** The HTML Zendesk shows for a comment sent as `body`, already sanitised. */
export function renderMarkdown(body: string): string {
  const lines = body.replace(/\r\n?/g, "\n").split("\n");
  const blocks: string[] = [];
  let paragraph: string[] = [];
  const flushParagraph = () => {
    if (paragraph.length > 0) blocks.push(`<p>${paragraph.map(inline).join("<br>")}</p>`);
    paragraph = [];
  };
  for (let i = 0; i < lines.length;) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      flushParagraph();
      const code: string[] = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]!); i++) code.push(lines[i]!);
      i++;
      blocks.push(`<pre><code>${escapeText(code.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flushParagraph();
      blocks.push(`<h${heading[1]!.length}>${inline(heading[2]!)}</h${heading[1]!.length}>`);
      i++;
      continue;
    }
    const list = listItem(line);
    if (list) {
      flushParagraph();
      const items: string[] = [];
      for (; i < lines.length; i++) {
        const item = listItem(lines[i]!);
        if (!item || item.ordered !== list.ordered) break;
        items.push(`<li>${inline(item.text)}</li>`);
      }
      const tag = list.ordered ? "ol" : "ul";
      blocks.push(`<${tag}>${items.join("")}</${tag}>`);
      continue;
    }
    if (line.trim() === "") flushParagraph();
    else paragraph.push(line.trim());
    i++;
  }
  flushParagraph();
  return sanitizeHtml(blocks.join("\n"));
}

function listItem(line: string): { ordered: boolean; text: string } | null {
  const bullet = /^\s{0,3}[-+*]\s+(.*)$/.exec(line);
  if (bullet && !/^\s{0,3}([-*])\s*\1\s*\1[\s\-*]*$/.test(line)) return { ordered: false, text: bullet[1]! };
  const numbered = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/.exec(line);
  return numbered ? { ordered: true, text: numbered[1]! } : null;
}

/** Inline Markdown: code spans first (nothing inside them is Markdown), then tags, links, bold, emphasis. */
function inline(text: string): string {
  const parts = text.split(/(`[^`]+`)/);
  return parts
    .map((part, index) => {
      if (index % 2 === 1) return `<code>${escapeText(part.slice(1, -1))}</code>`;
      // Anything shaped like a tag (`<agent@x.example>` included) is taken as HTML; the sanitiser keeps only allowed tags.
      const pieces = part.split(/(<\/?[A-Za-z][^<>]*>)/);
      return pieces
        .map((piece, j) => {
          if (j % 2 === 1) {
            const autolink = /^<((?:https?|mailto):[^\s<>]+)>$/i.exec(piece);
            return autolink ? `<a href="${escapeText(autolink[1]!)}">${escapeText(autolink[1]!)}</a>` : piece;
          }
          return emphasis(links(escapeText(piece)));
        })
        .join("");
    })
    .join("");
}

function links(escaped: string): string {
  return escaped.replace(
    /\[([^\]]+)\]\(((?:https?:\/\/|mailto:)[^\s)]+)\)/g,
    (_m, label: string, href: string) => `<a href="${href}">${label}</a>`,
  );
}

function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, "<strong>$1</strong>")
    .replace(/__(?=\S)(.+?)(?<=\S)__/g, "<strong>$1</strong>")
    .replace(/(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?![*\w])/g, "<em>$1</em>")
    .replace(/_(?=\S)(.+?)(?<=\S)_/g, "<em>$1</em>");
}

// ---------------------------------------------------------------------------
// Sanitising (html_body) and plain text

/** Keeps allowed tags (href on links only, http(s) or mailto), drops the rest; text is re-escaped. */
export function sanitizeHtml(html: string): string {
  const out: string[] = [];
  let dropping: string | null = null;
  for (const token of tokens(html)) {
    if (token.kind === "text") {
      if (dropping === null) out.push(escapeText(decodeEntities(token.text)));
      continue;
    }
    if (token.kind === "comment") continue;
    const name = token.name;
    if (dropping !== null) {
      if (token.closing && name === dropping) dropping = null;
      continue;
    }
    if (DROPPED_WITH_CONTENT.has(name)) {
      if (!token.closing && !token.selfClosing) dropping = name;
      continue;
    }
    if (!ALLOWED_TAGS.has(name)) continue;
    if (token.closing) {
      if (!VOID_TAGS.has(name)) out.push(`</${name}>`);
      continue;
    }
    const href = name === "a" ? safeHref(attribute(token.attributes, "href")) : null;
    out.push(href ? `<a href="${escapeText(href)}" rel="noreferrer">` : `<${name}>`);
  }
  return out.join("");
}

/** The text of (sanitised) HTML: blocks and line breaks become newlines, entities decoded. */
export function htmlToText(html: string): string {
  const out: string[] = [];
  let dropping: string | null = null;
  for (const token of tokens(html)) {
    if (token.kind === "text") {
      if (dropping === null) out.push(decodeEntities(token.text).replace(/\s+/g, " "));
    } else if (token.kind === "tag") {
      if (dropping !== null) {
        if (token.closing && token.name === dropping) dropping = null;
      } else if (DROPPED_WITH_CONTENT.has(token.name) && !token.closing) {
        dropping = token.name;
      } else if (token.name === "br") {
        out.push("\n");
      } else if (BLOCK_TAGS.has(token.name) && token.closing) {
        // Nested blocks (</li></ul>) end one line, not several.
        if (!out.at(-1)?.endsWith("\n")) out.push("\n");
      } else if (token.name === "li" && !token.closing) {
        out.push("- ");
      }
    }
  }
  return out
    .join("")
    .split("\n")
    .map((l) => l.trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

type Token =
  | { kind: "text"; text: string }
  | { kind: "comment" }
  | { kind: "tag"; name: string; closing: boolean; selfClosing: boolean; attributes: string };

function* tokens(html: string): Generator<Token> {
  const pattern = /<!--[\s\S]*?(?:-->|$)|<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;
  let last = 0;
  for (let m = pattern.exec(html); m !== null; m = pattern.exec(html)) {
    if (m.index > last) yield { kind: "text", text: html.slice(last, m.index) };
    last = pattern.lastIndex;
    if (m[0].startsWith("<!--")) yield { kind: "comment" };
    else yield { kind: "tag", name: m[2]!.toLowerCase(), closing: m[1] === "/", selfClosing: m[4] === "/", attributes: m[3] ?? "" };
  }
  if (last < html.length) yield { kind: "text", text: html.slice(last) };
}

function attribute(attributes: string, name: string): string | null {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, "i").exec(attributes);
  return m ? decodeEntities(m[1] ?? m[2] ?? m[3] ?? "") : null;
}

function safeHref(href: string | null): string | null {
  if (href === null) return null;
  const trimmed = href.trim();
  return /^(https?:\/\/|mailto:)/i.test(trimmed) ? trimmed : null;
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, entity: string) => {
    if (entity[0] === "#") {
      const code = entity[1] === "x" || entity[1] === "X" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED[entity.toLowerCase()] ?? whole;
  });
}
