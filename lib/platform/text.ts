/**
 * Whether a text can be taken at all, wherever it comes from (a query, a JSON
 * body, an opaque cursor): Postgres refuses NUL in text (22021), and a lone
 * surrogate is not Unicode. Pure.
 */
export function textProblem(value: string): string | null {
  if (value.includes("\u0000")) return "contains a NUL character";
  if (!value.isWellFormed()) return "is not valid Unicode (a lone surrogate)";
  return null;
}
