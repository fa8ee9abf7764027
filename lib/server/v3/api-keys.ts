import "server-only";
import { scopeSetById } from "../scope-set-cache";
import { z } from "zod";
import { generateApiKey } from "@/lib/api-keys";
import { v3Errors } from "@/lib/erasure/errors";
import { isPlatformManagedScope, normalizeScopes } from "@/lib/scopes/catalog";
import type { Db } from "../db";
import { ensureScopeSet } from "../scope-sets";

/**
 * POST and GET /v3/api_keys, shaped as SendGrid's API Keys API answers:
 * create → 201 {api_key, api_key_id, name, scopes} (the only time the secret
 * is shown; only its hash is stored), list → {result: [{api_key_id, name}]}.
 */
export const MAX_KEYS_PER_ACCOUNT = 100;

export const createApiKeyRequestSchema = z.object(
  {
    name: z
      .string({ error: (i) => (i.input === undefined ? "name is required" : "name must be a string") })
      .trim()
      .min(1, { error: "name must not be empty" })
      .max(100, { error: "name may be at most 100 characters" }),
    scopes: z
      .array(z.string({ error: "scopes must contain only strings" }).max(100, { error: "a scope is at most 100 characters" }), {
        error: "scopes must be an array of strings",
      })
      .max(1000, { error: "scopes may list at most 1,000 scopes" })
      .optional(),
  },
  { error: "The request body must be a JSON object with a name" },
);

export interface CreatedApiKey {
  api_key: string;
  api_key_id: string;
  name: string;
  scopes: string[];
}

/**
 * Creates a key for `accountId`. Its scopes must be a subset of the account's
 * scopes as they are now (403 naming the others); without scopes it gets full
 * access, i.e. every scope the account has except those the platform manages.
 */
export async function createApiKey(db: Db, accountId: number, input: z.output<typeof createApiKeyRequestSchema>): Promise<CreatedApiKey> {
  return db.$transaction(async (tx) => {
    // Serialises key creation per account, so the 100-key limit holds. The
    // row is locked alone: locking through a join would, after waiting for a
    // concurrent reset, re-check the join against the old scope set and find nothing.
    const [locked] = await tx.$queryRaw<{ scope_set_id: number }[]>`
      SELECT scope_set_id FROM account WHERE id = ${accountId} FOR UPDATE`;
    if (!locked) throw v3Errors.notFound();
    const account = await scopeSetById(tx, locked.scope_set_id);
    const owned = new Set(account.scopes);
    const requested = input.scopes === undefined ? account.scopes.filter((s) => !isPlatformManagedScope(s)) : normalizeScopes(input.scopes);
    const unauthorised = requested.filter((s) => !owned.has(s));
    if (unauthorised.length > 0) {
      throw v3Errors.notAuthorized(`The account does not hold these scopes, so a key cannot have them: ${unauthorised.join(", ")}`);
    }
    const [{ n } = { n: 0n }] = await tx.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM api_key WHERE account_id = ${accountId}`;
    if (Number(n) >= MAX_KEYS_PER_ACCOUNT) {
      throw v3Errors.notAuthorized(`An account may have at most ${MAX_KEYS_PER_ACCOUNT} API keys; delete one first`);
    }
    const set = await ensureScopeSet(tx, requested);
    const key = generateApiKey();
    await tx.apiKey.create({ data: { id: key.id, accountId, name: input.name, scopeSetId: set.id, secretHash: key.hash } });
    return { api_key: key.plaintext, api_key_id: key.id, name: input.name, scopes: set.scopes };
  });
}

export async function listApiKeys(db: Db, accountId: number, limit: number): Promise<{ result: { api_key_id: string; name: string }[] }> {
  const keys = await db.apiKey.findMany({
    where: { accountId },
    select: { id: true, name: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: limit,
  });
  return { result: keys.map((k) => ({ api_key_id: k.id, name: k.name })) };
}
