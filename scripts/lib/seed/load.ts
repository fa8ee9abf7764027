import pg from "pg";
import { scopeSetFingerprint } from "@/lib/scopes/fingerprint";
import { arrayLiteral, CopyWriter } from "./copy";
import { apiKeyHash, generateAccounts, type SeedOptions } from "./generate";

/**
 * Writes generated accounts with COPY (text format) in a single pass: scope
 * sets are deduplicated in memory and written first, then accounts and keys
 * stream straight from the generator. A million accounts take well under a
 * minute this way, where row-by-row INSERTs would take many.
 */

export interface LoadResult {
  accounts: number;
  subusers: number;
  apiKeys: number;
  scopeSets: number;
}

/**
 * Accounts and keys stream into two unlogged staging tables over two
 * connections (one COPY per connection at a time) while the distinct scope
 * sets collect in memory; then, in one transaction on `client`, the domain
 * tables are emptied and filled from staging. A failure leaves the old data.
 */
export async function loadAccounts(
  client: pg.Client,
  second: pg.Client,
  opts: SeedOptions,
  replaceInTransaction: (client: pg.Client) => Promise<void>,
): Promise<LoadResult> {
  await client.query(`DROP TABLE IF EXISTS seed_stage_account, seed_stage_api_key`);
  await client.query(`CREATE UNLOGGED TABLE seed_stage_account (LIKE account INCLUDING DEFAULTS)`);
  await client.query(`CREATE UNLOGGED TABLE seed_stage_api_key (LIKE api_key INCLUDING DEFAULTS)`);
  try {
    const sets = new Map<string, { id: number; fingerprint: string; scopes: string[] }>();
    // The generator hands out the same array for the same scope set, so most
    // lookups hit by identity; the joined text catches equal sets built apart.
    const idByArray = new Map<string[], number>();
    const setIdOf = (scopes: string[]) => {
      const known = idByArray.get(scopes);
      if (known !== undefined) return known;
      const key = scopes.join("\n");
      let set = sets.get(key);
      if (!set) {
        set = { id: sets.size + 1, fingerprint: scopeSetFingerprint(scopes), scopes };
        sets.set(key, set);
      }
      idByArray.set(scopes, set.id);
      return set.id;
    };

    const result: LoadResult = { accounts: 0, subusers: 0, apiKeys: 0, scopeSets: 0 };
    const accounts = await CopyWriter.open(
      client,
      `COPY seed_stage_account (id, username, email, company, region, signed_up_at, parent_id, scope_set_id, scopes_updated_at, created_at) FROM STDIN`,
    );
    const keys = await CopyWriter.open(
      second,
      `COPY seed_stage_api_key (id, account_id, name, scope_set_id, secret_hash, created_at) FROM STDIN`,
    );
    for (const { account, keys: accountKeys } of generateAccounts(opts)) {
      const signed = account.signedUpAt.toISOString();
      await accounts.row([
        account.id,
        account.username,
        account.email,
        account.company,
        account.region,
        signed,
        account.parentId,
        setIdOf(account.scopes),
        signed,
        signed,
      ]);
      result.accounts++;
      if (account.parentId !== null) result.subusers++;
      for (const k of accountKeys) {
        await keys.row([k.id, k.accountId, k.name, setIdOf(k.scopes), apiKeyHash(k.plaintext), k.createdAt.toISOString()]);
        result.apiKeys++;
      }
    }
    await accounts.close();
    await keys.close();
    result.scopeSets = sets.size;

    await client.query("BEGIN");
    try {
      await replaceInTransaction(client);
      const setWriter = await CopyWriter.open(client, `COPY scope_set (id, fingerprint, scopes) FROM STDIN`);
      for (const set of sets.values()) await setWriter.row([set.id, set.fingerprint, arrayLiteral(set.scopes)]);
      await setWriter.close();
      await client.query(`SELECT setval(pg_get_serial_sequence('scope_set', 'id'), (SELECT max(id) FROM scope_set))`);
      await client.query(`INSERT INTO account SELECT * FROM seed_stage_account ORDER BY id`);
      await client.query(`INSERT INTO api_key SELECT * FROM seed_stage_api_key`);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
    return result;
  } finally {
    await client.query(`DROP TABLE IF EXISTS seed_stage_account, seed_stage_api_key`);
  }
}
