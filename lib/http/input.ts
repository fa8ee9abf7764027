/**
 * Input as the pipeline reads it, once, for both surfaces: text that is safe
 * to hand to zod and to Postgres (no NUL, no lone surrogates, well-formed
 * percent-encoding), query strings without repeated parameters, and zod
 * issues turned into one list of { path, message }. Pure.
 */
import type { z } from "zod";

export type InputProblem = { where: string; message: string };

/** Why a text cannot be taken, or null: Postgres refuses NUL in text (22021), and a lone surrogate is not Unicode. */
export function textProblem(value: string): string | null {
  if (value.includes("\u0000")) return "contains a NUL character";
  if (!value.isWellFormed()) return "is not valid Unicode (a lone surrogate)";
  return null;
}

/** Walks a parsed JSON value and returns the first string that cannot be taken, with where it is. */
export function findBadText(value: unknown, path = "body"): InputProblem | null {
  if (typeof value === "string") {
    const problem = textProblem(value);
    return problem ? { where: path, message: `${path} ${problem}.` } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findBadText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return { where: path, message: `A field name in ${path} ${keyProblem}.` };
      const found = findBadText(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
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
    if (Object.hasOwn(value, key)) return { ok: false, problem: { where: key, message: `The parameter ${key.slice(0, 40)} is given more than once; give it once.` } };
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
