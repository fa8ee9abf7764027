import "server-only";
import type { Db, Tx } from "@/lib/platform/db";

/**
 * Scope sets are content-addressed and never change once written (decision
 * 002), so a set read once can be kept: an account page or a reset then reads
 * a set id instead of ~280 strings per row. A few hundred sets exist; the cap
 * only guards against pathological growth.
 */
export interface CachedScopeSet {
  id: number;
  fingerprint: string;
  scopes: string[];
  hasEraseJob: boolean;
  /** Values computed from the scopes alone (grouping, reset plan), kept with the set. */
  derived?: Map<string, unknown>;
}

const MAX_CACHED_SETS = 20_000;
const byId = new Map<number, CachedScopeSet>();

export async function scopeSetsById(db: Db | Tx, ids: Iterable<number>): Promise<Map<number, CachedScopeSet>> {
  const wanted = [...new Set(ids)];
  const missing = wanted.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    const rows = await db.$queryRaw<{ id: number; fingerprint: string; scopes: string[]; has_erase_job: boolean }[]>`
      SELECT id, fingerprint, scopes, has_erase_job FROM scope_set WHERE id = ANY(${missing}::int[])`;
    if (byId.size + rows.length > MAX_CACHED_SETS) byId.clear();
    for (const row of rows)
      byId.set(row.id, { id: row.id, fingerprint: row.fingerprint, scopes: row.scopes, hasEraseJob: row.has_erase_job });
  }
  const result = new Map<number, CachedScopeSet>();
  for (const id of wanted) {
    const set = byId.get(id);
    if (!set) throw new Error(`scope set ${id} does not exist`);
    result.set(id, set);
  }
  return result;
}

export async function scopeSetById(db: Db | Tx, id: number): Promise<CachedScopeSet> {
  return (await scopeSetsById(db, [id])).get(id)!;
}

/** A value derived from a set's scopes alone, computed once per set. The caller must not mutate it. */
export function derivedOf<T>(set: CachedScopeSet, key: string, compute: () => T): T {
  set.derived ??= new Map();
  if (!set.derived.has(key)) set.derived.set(key, compute());
  return set.derived.get(key) as T;
}
