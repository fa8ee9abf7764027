/**
 * What a key or an account may really do. A scope is effective only when
 * every holder in the chain has it: the API key, its account and, for a
 * subuser, the parent account (a subuser never holds more than its parent);
 * with on-behalf-of, the subuser acted for as well. In a subuser's context
 * the parent-only families (subusers, teammates, SSO, billing) never apply.
 * Spelling variants of one scope count as that scope. Pure; used by /v3, the
 * reset plan and its key-impact preview alike.
 */
import { canonicalScope, isParentOnlyScope, normalizeScopes } from "./catalog";

export type ScopeHolderKind = "key" | "account" | "parent" | "subuser";

export interface ScopeHolder {
  kind: ScopeHolderKind;
  /** How the holder is named in a message: a key's name, an account's username. */
  label: string;
  scopes: readonly string[];
}

function canonicalSet(scopes: readonly string[]): Set<string> {
  return new Set(scopes.map(canonicalScope));
}

/** Whether the chain acts in a subuser's context (a subuser's own key, or on-behalf-of a subuser). */
function inSubuserContext(chain: readonly ScopeHolder[]): boolean {
  return chain.some((h) => h.kind === "parent" || h.kind === "subuser");
}

/**
 * The scopes every holder of the chain has, in the first holder's spelling,
 * sorted; parent-only families dropped in a subuser's context.
 */
export function effectiveScopes(chain: readonly ScopeHolder[]): string[] {
  const [first, ...rest] = chain;
  if (!first) return [];
  const others = rest.map((h) => canonicalSet(h.scopes));
  const subuser = inSubuserContext(chain);
  return normalizeScopes(
    first.scopes.filter((s) => !(subuser && isParentOnlyScope(s)) && others.every((set) => set.has(canonicalScope(s)))),
  );
}

/**
 * The holders that lack `scope`, most specific first as given, so an error
 * can blame the subuser or the account rather than the key when that is where
 * the scope is missing. Empty when the scope is effective.
 */
export function holdersLacking(scope: string, chain: readonly ScopeHolder[]): ScopeHolder[] {
  const canonical = canonicalScope(scope);
  if (inSubuserContext(chain) && isParentOnlyScope(scope)) return chain.filter((h) => h.kind !== "key");
  return chain.filter((h) => !canonicalSet(h.scopes).has(canonical));
}

/** The most a subuser may hold: its parent's scopes without the parent-only families. */
export function subuserCeiling(parentScopes: readonly string[]): string[] {
  return normalizeScopes(parentScopes.filter((s) => !isParentOnlyScope(s)));
}

/** `scopes` minus those `held` has (spelling variants count as the same scope), sorted. */
export function scopesNotIn(scopes: readonly string[], held: readonly string[]): string[] {
  const set = canonicalSet(held);
  return normalizeScopes(scopes.filter((s) => !set.has(canonicalScope(s))));
}
