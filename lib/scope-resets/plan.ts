/**
 * What "Reset Scopes" will do to an account, computed before anything is
 * written so the console can show it, record it in the ticket notes and
 * check it inside the transaction.
 *
 * Two kinds of reset:
 *  - default: the account gets the default scope set (admin list + erase-job
 *    scopes; platform-managed scopes kept as they are), as the support
 *    procedure's "Reset Scopes" does. It may remove scopes.
 *  - minimal: the two erase-job scopes are added and nothing is removed, for
 *    accounts whose keys use scopes the default set does not have.
 * A subuser's plan is bounded by its parent: it never gets a scope its parent
 * lacks, nor a parent-only family (docs/decisions/010-resets-never-hurt-the-customer.md).
 */
import {
  canonicalScope,
  ERASE_JOB_SCOPES,
  eraseJobScopesOf,
  isPlatformManagedScope,
  normalizeScopes,
  scopesAfterReset,
  type EraseJobScopes,
} from "@/lib/scopes/catalog";
import { scopesNotIn, subuserCeiling } from "@/lib/scopes/effective-scopes";

export const RESET_MODES = ["default", "minimal"] as const;
export type ResetMode = (typeof RESET_MODES)[number];

export interface ScopeResetPlan {
  mode: ResetMode;
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
  /** Both erase-job scopes already present; a reset anyway needs a reason (and may still change other scopes). */
  nothingToDo: boolean;
  /** Scopes the default set would give that this subuser's parent does not hold (or parent-only ones): not given. */
  withheldByParent: string[];
}

export interface PlanInput {
  /** The account's scopes now. */
  current: Iterable<string>;
  /** The parent's scopes when the account is a subuser, else null. */
  parentScopes?: readonly string[] | null;
  mode?: ResetMode;
}

export function planScopeReset({ current, parentScopes = null, mode = "default" }: PlanInput): ScopeResetPlan {
  const before = normalizeScopes(current);
  const wanted = mode === "minimal" ? normalizeScopes([...before, ...ERASE_JOB_SCOPES]) : scopesAfterReset(before);
  if (!parentScopes) return diffScopeSets(before, wanted, mode);

  const ceiling = subuserCeiling(parentScopes);
  const allowed = new Set(ceiling.map(canonicalScope));
  // Platform-managed scopes are the platform's, not the reset's: kept as they are.
  // A minimal reset removes nothing, even what the subuser wrongly holds beyond its parent.
  const keepRegardless = (s: string) => isPlatformManagedScope(s) || (mode === "minimal" && before.includes(s));
  const after = wanted.filter((s) => keepRegardless(s) || allowed.has(canonicalScope(s)));
  const plan = diffScopeSets(before, after, mode);
  return { ...plan, withheldByParent: scopesNotIn(wanted, after) };
}

/**
 * The same shape for any before/after pair: how a stored reset is shown again
 * (its after is what was written then, whatever the catalog says today).
 */
export function diffScopeSets(beforeScopes: Iterable<string>, afterScopes: Iterable<string>, mode: ResetMode = "default"): ScopeResetPlan {
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
    mode,
    before,
    after,
    added,
    removed,
    kept,
    preservedPlatformManaged: before.filter(isPlatformManagedScope),
    eraseJobBefore,
    eraseJobAfter: eraseJobScopesOf(after),
    nothingToDo: eraseJobBefore.both,
    withheldByParent: [],
  };
}

/** Whether the minimal plan is worth offering beside the default one: the default removes something and the minimal adds something. */
export function offersMinimalPlan(defaultPlan: ScopeResetPlan, minimalPlan: ScopeResetPlan): boolean {
  return defaultPlan.removed.length > 0 && minimalPlan.added.length > 0;
}
