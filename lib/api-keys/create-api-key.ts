import "server-only";
import { scopeSetById } from "@/lib/scopes/scope-set-cache";
import { z } from "zod";
import { generateApiKey } from "@/lib/api-keys/api-key-format";
import { v3Errors } from "@/lib/erasure/errors";
import { isPlatformManagedScope, normalizeScopes } from "@/lib/scopes/catalog";
import { effectiveScopes, scopesNotIn } from "@/lib/scopes/effective-scopes";
import type { Db } from "@/lib/platform/db";
import { ensureScopeSet } from "@/lib/scopes/ensure-scope-set";
import type { ActingAccount } from "./authenticate-api-key";

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
 * Creates a key for the acting account, as SendGrid's rule says: a new key's
 * scopes must be a subset of the creating key's effective scopes (its own ∩
 * its account's ∩ the parent's or subuser's), so a key can never mint a
 * stronger one (403 naming the others). Without `scopes` it gets all of those
 * except platform-managed ones; an empty list is refused (a key that can do
 * nothing still counts toward the 100), and so are platform-managed scopes,
 * which no key ever gets.
 */
export async function createApiKey(
  db: Db,
  acting: ActingAccount,
  input: z.output<typeof createApiKeyRequestSchema>,
): Promise<CreatedApiKey> {
  if (input.scopes !== undefined) {
    if (input.scopes.length === 0)
      throw v3Errors.badRequest("scopes must list at least one scope (omit it for every scope you may grant)", "scopes");
    const managed = normalizeScopes(input.scopes).filter(isPlatformManagedScope);
    if (managed.length > 0) {
      throw v3Errors.badRequest(
        `These scopes are managed by the platform and cannot be given to an API key: ${managed.join(", ")}`,
        "scopes",
      );
    }
  }
  return db.$transaction(async (tx) => {
    // Serialises key creation per account, so the 100-key limit holds. The
    // row is locked alone: locking through a join would, after waiting for a
    // concurrent reset, re-check the join against the old scope set and find nothing.
    const [locked] = await tx.$queryRaw<{ scope_set_id: number }[]>`
      SELECT scope_set_id FROM account WHERE id = ${acting.id} FOR UPDATE`;
    if (!locked) throw v3Errors.notFound();
    const current = await scopeSetById(tx, locked.scope_set_id);
    // The acting account's scopes as they are under the lock, not as authentication read them.
    const chain = acting.chain.map((h, i) => (i === actingHolderIndex(acting) ? { ...h, scopes: current.scopes } : h));
    const grantable = effectiveScopes(chain).filter((s) => !isPlatformManagedScope(s));
    const requested = input.scopes === undefined ? grantable : normalizeScopes(input.scopes);
    const unauthorised = scopesNotIn(requested, grantable);
    if (unauthorised.length > 0) {
      throw v3Errors.notAuthorized(
        `A new key may only have scopes the creating key can use itself; it cannot have: ${unauthorised.join(", ")}`,
      );
    }
    const [{ n } = { n: 0n }] = await tx.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM api_key WHERE account_id = ${acting.id}`;
    if (Number(n) >= MAX_KEYS_PER_ACCOUNT) {
      throw v3Errors.notAuthorized(`An account may have at most ${MAX_KEYS_PER_ACCOUNT} API keys; delete one first`);
    }
    const set = await ensureScopeSet(tx, requested);
    const key = generateApiKey();
    await tx.apiKey.create({ data: { id: key.id, accountId: acting.id, name: input.name, scopeSetId: set.id, secretHash: key.hash } });
    return { api_key: key.plaintext, api_key_id: key.id, name: input.name, scopes: set.scopes };
  });
}

/** Which holder of the chain is the account the key is created for: the subuser acted for, else the key's own account. */
function actingHolderIndex(acting: ActingAccount): number {
  const subuser = acting.chain.findIndex((h) => h.kind === "subuser");
  return subuser >= 0 ? subuser : acting.chain.findIndex((h) => h.kind === "account");
}
