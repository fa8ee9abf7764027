import "server-only";
import { normalizeScopes } from "@/lib/scopes/catalog";
import { scopeSetFingerprint } from "@/lib/scopes/fingerprint";
import type { Db, Tx } from "@/lib/platform/db";

export interface StoredScopeSet {
  id: number;
  fingerprint: string;
  scopes: string[];
}

/**
 * The id of the scope set with exactly these scopes, creating it if needed.
 * Reads first, so the common case (a set many accounts share) takes no lock;
 * a concurrent insert of the same set is resolved by ON CONFLICT and a re-read
 * (a new statement sees what the other transaction committed).
 */
export async function ensureScopeSet(tx: Tx | Db, scopes: Iterable<string>): Promise<StoredScopeSet> {
  const normalized = normalizeScopes(scopes);
  const fingerprint = scopeSetFingerprint(normalized);
  const find = () => tx.$queryRaw<{ id: number }[]>`SELECT id FROM scope_set WHERE fingerprint = ${fingerprint}`;
  let [row] = await find();
  if (!row) {
    [row] = await tx.$queryRaw<{ id: number }[]>`
      INSERT INTO scope_set (fingerprint, scopes) VALUES (${fingerprint}, ${normalized}::text[])
      ON CONFLICT (fingerprint) DO NOTHING RETURNING id`;
    row ??= (await find())[0];
  }
  if (!row) throw new Error(`scope set ${fingerprint} vanished while being created`);
  return { id: row.id, fingerprint, scopes: normalized };
}
