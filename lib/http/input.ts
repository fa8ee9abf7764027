/**
 * Input as the pipeline reads it, once, for both surfaces: text that is safe
 * to hand to zod and to Postgres (no NUL, no lone surrogates, well-formed
 * percent-encoding), query strings without repeated parameters, and zod
 * issues turned into one list of { path, message }. Pure.
 */
import type { z } from "zod";
import { textProblem } from "@/lib/platform/text";

export type InputProblem = { where: string; message: string };

/**
 * Walks a parsed JSON value and returns the first string (or field name) that
 * cannot be taken, with where it is. With a list of pending values, not
 * recursion: a 256 KiB body can nest 100,000 deep, past the call stack; and
 * the path is spelled out only for the value found, not for every level.
 */
export function findBadText(root: unknown, rootPath = "body"): InputProblem | null {
  interface Pending {
    value: unknown;
    parent: Pending | null;
    segment: string;
  }
  const pathOf = (node: Pending): string => {
    const segments: string[] = [];
    for (let at: Pending | null = node; at; at = at.parent) segments.push(at.segment);
    return segments.reverse().join("");
  };
  const pending: Pending[] = [{ value: root, parent: null, segment: rootPath }];
  while (pending.length > 0) {
    const node = pending.pop()!;
    const { value } = node;
    if (typeof value === "string") {
      const problem = textProblem(value);
      if (problem) return { where: pathOf(node), message: `${pathOf(node)} ${problem}.` };
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push({ value: value[i], parent: node, segment: `[${i}]` });
    } else if (value !== null && typeof value === "object") {
      const entries = Object.entries(value);
      for (const [key] of entries) {
        const keyProblem = textProblem(key);
        if (keyProblem) return { where: pathOf(node), message: `A field name in ${pathOf(node)} ${keyProblem}.` };
      }
      for (let i = entries.length - 1; i >= 0; i--) pending.push({ value: entries[i]![1], parent: node, segment: `.${entries[i]![0]}` });
    }
  }
  return null;
}

/**
 * findBadText for a parsed JSON body, given the text it was parsed from. JSON
 * can carry a NUL or a lone surrogate only as a `\u` escape (JSON.parse
 * refuses raw control characters, and UTF-8 text, decoded strictly, holds no
 * surrogates), so text without one is taken without walking it: the
 * 5,000-address erasure body is the common case.
 */
export function findBadJsonText(text: string, value: unknown, rootPath = "body"): InputProblem | null {
  return text.includes("\\u") ? findBadText(value, rootPath) : null;
}

/** Decodes a percent-encoded path segment, or null when it is malformed (e.g. "%zz", a lone "%", or invalid UTF-8). */
export function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Whether every percent sign of a raw path or query starts a valid escape that decodes. */
export function isWellEncoded(raw: string): boolean {
  return decodeSegment(raw.replace(/\+/g, " ")) !== null;
}

/**
 * A query string as an object of single values. A parameter given twice is
 * refused (the page and the API must not read `?agent=a&agent=b` differently),
 * and so is text that cannot be taken.
 */
export function queryObject(params: URLSearchParams): { ok: true; value: Record<string, string> } | { ok: false; problem: InputProblem } {
  const value: Record<string, string> = {};
  for (const [key, item] of params) {
    if (Object.hasOwn(value, key))
      return { ok: false, problem: { where: key, message: `The parameter ${key.slice(0, 40)} is given more than once; give it once.` } };
    const problem = textProblem(key) ?? textProblem(item);
    if (problem) return { ok: false, problem: { where: key, message: `The parameter ${key.slice(0, 40)} ${problem}.` } };
    value[key] = item;
  }
  return { ok: true, value };
}

/** zod's issues as the API shows them: the first few joined into one message, all of them listed. */
export function describeIssues(error: z.ZodError, where: string): { message: string; issues: { path: string; message: string }[] } {
  const issues = error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const summary = issues
    .slice(0, 5)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join("; ");
  return { message: `Invalid ${where}: ${summary}`, issues };
}
