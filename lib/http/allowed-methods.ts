/**
 * The methods a path allows, from the endpoint table: a known path with the
 * wrong method answers 405 with Allow, not 404. Paths are Hono patterns
 * ("/accounts/:id"); a parameter matches one non-empty segment. Pure.
 */
export function allowedMethods(routes: readonly { method: string; path: string }[], path: string): string[] {
  const segments = path.replace(/\/+$/, "").split("/");
  const matches = (pattern: string) => {
    const parts = pattern.split("/");
    return parts.length === segments.length && parts.every((p, i) => (p.startsWith(":") ? segments[i] !== "" : p === segments[i]));
  };
  return [...new Set(routes.filter((r) => matches(r.path)).map((r) => r.method))].sort();
}
