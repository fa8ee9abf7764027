/**
 * What a reset does to the customer's existing API keys and subusers, shown
 * before the agent confirms and written into every note afterwards. A key
 * keeps the scopes it was created with, but acts only with those its account
 * (and, for a subuser, its parent) still holds: so a reset that removes a
 * scope from an account silently takes it from every key that used it, and a
 * parent's reset bounds its subusers' keys too. Pure.
 */
import { eraseJobScopesOf, type EraseJobScope } from "@/lib/scopes/catalog";
import { effectiveScopes, scopesNotIn, type ScopeHolder } from "@/lib/scopes/effective-scopes";

export interface ExistingKey {
  id: string;
  name: string;
  scopes: readonly string[];
  /** Shown on the account page; not needed by the rules. */
  createdAt?: Date;
  /** What an approval is bound to (lib/approvals/facts.ts); not needed by the rules. */
  scopeSetId?: number;
  lastUsedAt?: Date | null;
}

export interface SubuserWithKeys {
  id: number;
  username: string;
  scopes: readonly string[];
  keys: readonly ExistingKey[];
  region?: "global" | "eu";
  scopeSetId?: number;
}

export interface KeyImpactInput {
  account: { id: number; username: string };
  before: readonly string[];
  after: readonly string[];
  /** When the account is a subuser: its parent's scopes (unchanged by this reset). */
  parentScopes: readonly string[] | null;
  /** The account's own keys. */
  keys: readonly ExistingKey[];
  /** When the account is a parent: its subusers, whose keys its reset bounds. */
  subusers: readonly SubuserWithKeys[];
}

export interface KeyRef {
  keyId: string;
  keyName: string;
  accountId: number;
  accountUsername: string;
}

export interface KeyLoss extends KeyRef {
  /** Effective scopes the key has now and would not have after the reset, sorted. */
  loses: string[];
}

export interface KeyLackingEraseJob extends KeyRef {
  missing: EraseJobScope[];
}

export interface KeyImpact {
  /** Keys (the account's, and its subusers' where the parent's change bounds them) that would lose scopes. */
  losses: KeyLoss[];
  /** The account's own keys that will still lack an erase-job scope: the customer needs a new key. */
  keysLackingEraseJob: KeyLackingEraseJob[];
  /** Subusers that will still lack an erase-job scope after this reset: erasure on their behalf stays refused. */
  subusersLackingEraseJob: { id: number; username: string; missing: EraseJobScope[] }[];
}

export function computeKeyImpact(input: KeyImpactInput): KeyImpact {
  const { account, before, after, parentScopes } = input;
  const losses: KeyLoss[] = [];
  const keysLackingEraseJob: KeyLackingEraseJob[] = [];

  const accountChain = (scopes: readonly string[]): ScopeHolder[] => [
    { kind: "account", label: account.username, scopes },
    ...(parentScopes ? [{ kind: "parent" as const, label: "parent", scopes: parentScopes }] : []),
  ];
  for (const key of input.keys) {
    const ref = { keyId: key.id, keyName: key.name, accountId: account.id, accountUsername: account.username };
    const keyHolder: ScopeHolder = { kind: "key", label: key.name, scopes: key.scopes };
    const now = effectiveScopes([keyHolder, ...accountChain(before)]);
    const later = effectiveScopes([keyHolder, ...accountChain(after)]);
    const loses = scopesNotIn(now, later);
    if (loses.length > 0) losses.push({ ...ref, loses });
    const missing = eraseJobScopesOf(later).missing;
    if (missing.length > 0) keysLackingEraseJob.push({ ...ref, missing });
  }

  const subusersLackingEraseJob: KeyImpact["subusersLackingEraseJob"] = [];
  for (const sub of input.subusers) {
    const subChain = (parent: readonly string[]): ScopeHolder[] => [
      { kind: "account", label: sub.username, scopes: sub.scopes },
      { kind: "parent", label: account.username, scopes: parent },
    ];
    for (const key of sub.keys) {
      const keyHolder: ScopeHolder = { kind: "key", label: key.name, scopes: key.scopes };
      const loses = scopesNotIn(effectiveScopes([keyHolder, ...subChain(before)]), effectiveScopes([keyHolder, ...subChain(after)]));
      if (loses.length > 0) losses.push({ keyId: key.id, keyName: key.name, accountId: sub.id, accountUsername: sub.username, loses });
    }
    const missing = eraseJobScopesOf(effectiveScopes(subChain(after))).missing;
    if (missing.length > 0) subusersLackingEraseJob.push({ id: sub.id, username: sub.username, missing });
  }
  return { losses, keysLackingEraseJob, subusersLackingEraseJob };
}

/**
 * The text an acknowledgement is bound to: the agent acknowledges exactly
 * these keys losing exactly these scopes. If a key is created or the scopes
 * change before the confirmation arrives, its fingerprint no longer matches.
 */
export function keyLossesIdentity(losses: readonly KeyLoss[]): string {
  const rows = losses.map((l) => [l.accountId, l.keyId, l.loses]).sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : 1));
  return JSON.stringify(rows);
}
