/**
 * The methods a path allows, from the endpoint table: a known path with the
 * wrong method answers 405 with Allow, not 404. Paths are Hono patterns
 * ("/accounts/:id"); a parameter matches one non-empty segment. The path is
 * taken as sent: with a trailing slash it is another path (the router serves
 * none), so it is unknown (404), not a known one asked the wrong way. Pure.
 */
export function allowedMethods(routes: readonly { method: string; path: string }[], path: string): string[] {
  const segments = path.split("/");
  const matches = (pattern: string) => {
    const parts = pattern.split("/");
    return parts.length === segments.length && parts.every((p, i) => (p.startsWith(":") ? segments[i] !== "" : p === segments[i]));
  };
  return [...new Set(routes.filter((r) => matches(r.path)).map((r) => r.method))].sort();
}
