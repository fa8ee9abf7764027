/**
 * What "Reset Scopes" will do to an account, computed before anything is
 * written so the console can show it, record it in the ticket notes and
 * check it inside the transaction.
 */
import {
  eraseJobScopesOf,
  isPlatformManagedScope,
  normalizeScopes,
  scopesAfterReset,
  type EraseJobScopes,
} from "../scopes/catalog";

export interface ScopeResetPlan {
  before: string[];
  after: string[];
  added: string[];
  removed: string[];
  /** In both before and after. */
  kept: string[];
  /** Platform-managed scopes the account had, kept as they are. */
  preservedPlatformManaged: string[];
  eraseJobBefore: EraseJobScopes;
  eraseJobAfter: EraseJobScopes;
  /** Both erase-job scopes already present; the reset may still change other scopes (see changesAnything). */
  nothingToDo: boolean;
  /** after differs from before. */
  changesAnything: boolean;
}

/**
 * The reset rule lives in the catalog's scopesAfterReset (default set = admin
 * list + erase-job scopes; platform-managed scopes neither added nor removed),
 * so the plan and any other caller cannot disagree about it.
 */
export function planScopeReset(current: Iterable<string>): ScopeResetPlan {
  const before = normalizeScopes(current);
  return diffScopeSets(before, scopesAfterReset(before));
}

/**
 * The same shape for any before/after pair: how a stored reset is shown again
 * (its after is what was written then, whatever the catalog says today).
 */
export function diffScopeSets(beforeScopes: Iterable<string>, afterScopes: Iterable<string>): ScopeResetPlan {
  const before = normalizeScopes(beforeScopes);
  const after = normalizeScopes(afterScopes);
  const beforeSet = new Set(before);
  const afterSet = new Set(after);
  // Filtering sorted arrays keeps the results sorted and unique.
  const added = after.filter((s) => !beforeSet.has(s));
  const removed = before.filter((s) => !afterSet.has(s));
  const kept = before.filter((s) => afterSet.has(s));
  const eraseJobBefore = eraseJobScopesOf(before);
  return {
    before,
    after,
    added,
    removed,
    kept,
    preservedPlatformManaged: before.filter(isPlatformManagedScope),
    eraseJobBefore,
    eraseJobAfter: eraseJobScopesOf(after),
    nothingToDo: eraseJobBefore.both,
    changesAnything: added.length > 0 || removed.length > 0,
  };
}
