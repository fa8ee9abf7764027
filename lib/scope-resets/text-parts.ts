/**
 * The building blocks every text Scopedesk writes shares: one-line values,
 * counts, scope lists grouped by catalog group several to a line, lists that
 * stop at a bound and say how many more there are, and the hard size bound
 * every note and reply is cut to (decision 025). Pure.
 */
import { groupScopes } from "@/lib/scopes/catalog";

/**
 * The most characters an internal note (ticket note or admin note) may have:
 * the console's own limit for a text, and a third of Zendesk's comment limit
 * (about 65,000 characters), so its HTML fits with room to spare. Past it a
 * note summarises and names the result page, where every list is complete.
 */
export const NOTE_MAX_CHARS = 20_000;

/** The most characters a reply draft may have: below the console's 20,000-character reply limit with room for the agent's edits. */
export const REPLY_DRAFT_MAX_CHARS = 8_000;

/**
 * Values from the database or a form go on one line: a newline in a username
 * or key name must not be able to forge extra lines in a note.
 */
export function oneLine(value: string): string {
  return value.replace(/[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim();
}

/** A free text (the reset's reason) keeps its line breaks but loses control characters, trailing spaces and blank edges. */
export function cleanLines(text: string | null | undefined): string[] {
  if (text == null) return [];
  const lines = text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ").trimEnd());
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  while (lines.length > 0 && lines.at(-1)!.trim() === "") lines.pop();
  return lines;
}

export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? noun : plural}`;
}

/** "a, b and c". */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * At most `max` items, then how many more: the same shape wherever a list may
 * be long (keys, subusers, accounts), so no text grows with the account.
 */
export function boundedList(items: readonly string[], max: number, more: (n: number) => string): string[] {
  if (items.length <= max) return [...items];
  return [...items.slice(0, max), more(items.length - max)];
}

/**
 * A scope set as lines, one per catalog group in catalog order, its scopes
 * comma-separated: "Alerts (4): alerts.create, alerts.delete, …". Scopes the
 * catalog does not know come last.
 */
export function groupedScopeLines(scopes: Iterable<string>): string[] {
  const grouped = groupScopes(scopes);
  const lines = grouped.groups.map((g) => `${g.label} (${g.present.length}): ${g.present.join(", ")}`);
  if (grouped.unknown.length > 0) lines.push(`Not in the catalog (${grouped.unknown.length}): ${grouped.unknown.join(", ")}`);
  return lines.length > 0 ? lines : ["(none)"];
}

/** A short scope list on one line, or "none". */
export function inlineScopes(scopes: readonly string[]): string {
  return scopes.length === 0 ? "none" : scopes.join(", ");
}

/**
 * The hard bound: the text as it is when it fits, else cut at the last whole
 * line that leaves room for `tail` (which says where the rest is). Every line
 * is right-trimmed and the text never ends with a newline.
 */
export function fitText(lines: readonly string[], max: number, tail: string): string {
  const clean = lines.map((line) => line.trimEnd());
  const whole = clean.join("\n");
  if (whole.length <= max) return whole;
  const room = max - tail.length - 2;
  const kept: string[] = [];
  let length = 0;
  for (const line of clean) {
    const next = length + (kept.length > 0 ? 1 : 0) + line.length;
    if (next > room) {
      // A single line longer than what is left (a huge scope group) is cut on a word, not dropped whole.
      if (kept.length === 0 || room - length > 200) kept.push(cutOnWord(line, room - length - (kept.length > 0 ? 1 : 0)));
      break;
    }
    kept.push(line);
    length = next;
  }
  while (kept.length > 0 && kept.at(-1)!.trim() === "") kept.pop();
  return `${kept.join("\n")}\n\n${tail}`;
}

function cutOnWord(line: string, max: number): string {
  if (max <= 1) return "";
  const cut = line.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[,;:\s]+$/, "")}…`;
}
