import type pg from "pg";
import { scopeSetFingerprint } from "../../../lib/scopes/fingerprint";

/**
 * The id of the scope_set row holding exactly these (normalised) scopes,
 * inserting it if none does: for seeders, benchmarks and end-to-end data that
 * write with a plain pg client (the app's own is lib/scopes/ensure-scope-set.ts).
 */
export async function scopeSetIdFor(client: pg.Client, normalizedScopes: readonly string[]): Promise<number> {
  const fingerprint = scopeSetFingerprint(normalizedScopes);
  const { rows } = await client.query<{ id: number }>(
    `WITH ins AS (INSERT INTO scope_set (fingerprint, scopes) VALUES ($1, $2) ON CONFLICT (fingerprint) DO NOTHING RETURNING id)
     SELECT id FROM ins UNION ALL SELECT id FROM scope_set WHERE fingerprint = $1`,
    [fingerprint, normalizedScopes],
  );
  return rows[0]!.id;
}
