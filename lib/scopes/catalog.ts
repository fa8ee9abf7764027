/**
 * The scope catalog API. Pure and free of Node imports because client
 * components use it too; the sha256 fingerprint lives in ./fingerprint.ts.
 */
import {
  ADMIN_SCOPE_DATA,
  CATALOG_SOURCE,
  PERSONA_DATA,
  SCOPE_GROUP_DATA,
  SCOPE_NOTES,
  type Persona,
  type PersonaId,
  type ScopeGroup,
  type ScopeNote,
  type ScopeNoteKind,
} from "./catalog-data";

export type { Persona, PersonaId, ScopeGroup, ScopeNote, ScopeNoteKind };
export { CATALOG_SOURCE, SCOPE_NOTES };

export const ERASE_JOB_SCOPES = ["recipients.erasejob.create", "recipients.erasejob.read"] as const;
export type EraseJobScope = (typeof ERASE_JOB_SCOPES)[number];

export const SCOPE_GROUPS: readonly ScopeGroup[] = SCOPE_GROUP_DATA;
export const PERSONAS: readonly Persona[] = PERSONA_DATA;
export const ADMIN_SCOPES: readonly string[] = ADMIN_SCOPE_DATA;

/**
 * "seed003-" + the first 12 hex digits of sha256(canonicalCatalogJson()).
 * Hard-coded so this module needs no hashing at load; catalog.test.ts
 * recomputes it, so editing the data without bumping it fails the tests.
 */
export const CATALOG_VERSION = "seed003-4792643ad264";

/**
 * What CATALOG_VERSION is a hash of: group ids with their scopes, personas and
 * the admin list. Labels, descriptions and notes are left out on purpose:
 * rewording them does not change which scopes a reset grants.
 */
export function canonicalCatalogJson(): string {
  return JSON.stringify({
    groups: SCOPE_GROUPS.map((g) => ({ id: g.id, scopes: g.scopes })),
    personas: PERSONAS.map((p) => ({ id: p.id, scopes: p.scopes })),
    admin: ADMIN_SCOPES,
  });
}

/** Trim, drop empties, dedupe, sort by UTF-16 code units (locale-independent, like the DB's C collation). */
export function normalizeScopes(scopes: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const raw of scopes) {
    const s = raw.trim();
    if (s !== "") set.add(s);
  }
  return [...set].sort(compareCodeUnits);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const GROUP_BY_SCOPE: ReadonlyMap<string, ScopeGroup> = (() => {
  const map = new Map<string, ScopeGroup>();
  for (const group of SCOPE_GROUPS) {
    for (const scope of group.scopes) {
      // First group wins; the tests guarantee there is only one.
      if (!map.has(scope)) map.set(scope, group);
    }
  }
  return map;
})();

/** Every catalog scope, sorted. */
export const ALL_SCOPES: readonly string[] = [...GROUP_BY_SCOPE.keys()].sort(compareCodeUnits);

export function groupOf(scope: string): ScopeGroup | undefined {
  return GROUP_BY_SCOPE.get(scope);
}

export function isKnownScope(scope: string): boolean {
  return GROUP_BY_SCOPE.has(scope);
}

export function groupById(id: string): ScopeGroup | undefined {
  return SCOPE_GROUPS.find((g) => g.id === id);
}

/** Glob-style patterns (only a trailing "*") for scopes SendGrid sets by itself. */
export const PLATFORM_MANAGED_PATTERNS = ["2fa_*", "sender_verification_*", "ui.*", "signup.*"] as const;

const PLATFORM_MANAGED_PREFIXES = PLATFORM_MANAGED_PATTERNS.map((p) => p.slice(0, -1));

/** Scopes the platform manages itself (2FA, sender verification, signup state); a reset keeps them as they are. */
export function isPlatformManagedScope(scope: string): boolean {
  return PLATFORM_MANAGED_PREFIXES.some((prefix) => scope.startsWith(prefix));
}

/**
 * Scope families only a parent account can hold: a subuser cannot manage
 * subusers, teammates, single sign-on or billing. They are whole groups of
 * the seed catalog (each group's scopes all start with its prefix, which the
 * tests check), named here once for the reset plan, the API-key rules and the
 * seeder alike.
 */
export const PARENT_ONLY_SCOPE_FAMILIES = [
  { groupId: "billing", prefix: "billing." },
  { groupId: "sso", prefix: "sso." },
  { groupId: "subusers", prefix: "subusers." },
  { groupId: "teammates", prefix: "teammates." },
] as const;

export function isParentOnlyScope(scope: string): boolean {
  return PARENT_ONLY_SCOPE_FAMILIES.some((family) => scope.startsWith(family.prefix));
}

/** Variant spelling → the spelling of the catalog group (see SCOPE_NOTES, kind "variant"). */
const CANONICAL_SPELLING: ReadonlyMap<string, string> = new Map(
  Object.entries(SCOPE_NOTES).flatMap(([scope, note]) => (note.kind === "variant" && note.variantOf ? [[scope, note.variantOf]] : [])),
);

/**
 * One name per scope: the catalog spells some scopes two ways (the admin
 * list's "di.bounce_block_classification.read" is the Deliverability Insights
 * group's "di.bounce_block_classifications.read"), and an account may carry
 * either. Comparisons of what is held go through this.
 */
export function canonicalScope(scope: string): string {
  return CANONICAL_SPELLING.get(scope) ?? scope;
}

/** What "Reset Scopes" grants: the admin list plus the erase-job scopes, sorted and unique. */
export const DEFAULT_ACCOUNT_SCOPES: readonly string[] = normalizeScopes([...ADMIN_SCOPES, ...ERASE_JOB_SCOPES]);

/**
 * The scope set after a reset: the defaults without their platform-managed
 * scopes, plus whichever platform-managed scopes the account had (so a reset
 * neither grants 2FA exemptions nor removes requirements).
 */
export function scopesAfterReset(current: Iterable<string>): string[] {
  const held = normalizeScopes(current);
  const kept = held.filter(isPlatformManagedScope);
  // A default scope the account already holds in another spelling keeps the
  // account's spelling: the reset neither removes it nor adds it twice.
  const heldSpelling = new Map(held.map((s) => [canonicalScope(s), s]));
  const defaults = DEFAULT_ACCOUNT_SCOPES.filter((s) => !isPlatformManagedScope(s)).map((s) => heldSpelling.get(canonicalScope(s)) ?? s);
  return normalizeScopes([...defaults, ...kept]);
}

export interface PresentGroup {
  id: string;
  label: string;
  /** The group's scopes the set has, in catalog order. */
  present: string[];
  /** How many scopes the group has in the catalog. */
  total: number;
}

export interface GroupedScopes {
  /** Catalog order; only groups with at least one present scope. */
  groups: PresentGroup[];
  /** Scopes not in the catalog, sorted. */
  unknown: string[];
}

export function groupScopes(scopes: Iterable<string>): GroupedScopes {
  const set = new Set(normalizeScopes(scopes));
  const groups: PresentGroup[] = [];
  for (const group of SCOPE_GROUPS) {
    const present = group.scopes.filter((s) => set.has(s));
    if (present.length > 0) groups.push({ id: group.id, label: group.label, present, total: group.scopes.length });
  }
  const unknown = [...set].filter((s) => !isKnownScope(s));
  return { groups, unknown };
}

export interface EraseJobScopes {
  create: boolean;
  read: boolean;
  both: boolean;
  /** Missing erase-job scopes, in ERASE_JOB_SCOPES order. */
  missing: EraseJobScope[];
}

export function eraseJobScopesOf(scopes: Iterable<string>): EraseJobScopes {
  const set = new Set(normalizeScopes(scopes));
  const missing = ERASE_JOB_SCOPES.filter((s) => !set.has(s));
  const create = set.has("recipients.erasejob.create");
  const read = set.has("recipients.erasejob.read");
  return { create, read, both: create && read, missing };
}
