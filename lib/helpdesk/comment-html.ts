/**
 * What Scopedesk posts into a ticket is plain text, turned into Zendesk's
 * `html_body` here: every character escaped, blank lines making paragraphs,
 * line breaks kept, web addresses made links. Zendesk renders a comment's
 * `body` as Markdown (a line starting "- " or "+ " becomes a bullet,
 * "<agent@…>" a tag, underscores in scope names pair into italics), so a
 * text sent as `body` would not read as written; sent as escaped HTML it
 * reads exactly as the console shows it (decision 025). Pure.
 */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** One line: escaped, its web addresses as links (the address is the link's text, so nothing is hidden behind it). */
function lineHtml(line: string): string {
  let html = "";
  let last = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    html += escapeHtml(line.slice(last, match.index));
    const url = escapeHtml(match[0]);
    html += `<a href="${url}" rel="noreferrer">${url}</a>`;
    last = match.index + match[0].length;
  }
  html += escapeHtml(line.slice(last));
  // HTML collapses runs of spaces: an indented line keeps its indent.
  return html
    .replace(/^ +/, (spaces) => "&nbsp;".repeat(spaces.length))
    .replace(/ {2,}/g, (spaces) => ` ${"&nbsp;".repeat(spaces.length - 1)}`);
}

/** Plain text (as stored, as the console shows it) → the `html_body` that renders as the same text. */
export function textToZendeskHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*\n/)
    .map((p) => p.replace(/^\n+|\n+$/g, ""))
    .filter((p) => p.trim() !== "");
  return paragraphs.map((p) => `<p>${p.split("\n").map(lineHtml).join("<br>")}</p>`).join("\n");
}
