import { generateApiKey } from "@/lib/api-keys";
import { getDb } from "@/lib/server/db";
import { ensureScopeSet } from "@/lib/server/scope-sets";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, normalizeScopes } from "@/lib/scopes/catalog";

/**
 * Test data built per test, with ids from a range the seed never uses, so
 * tests do not depend on each other or on the seeded demo-like data.
 */
let nextId = 50_000_000 + (process.pid % 1000) * 10_000 + Math.floor(Math.random() * 5_000);

export const PRE_CUTOFF_SCOPES = normalizeScopes(ADMIN_SCOPES);
export const POST_CUTOFF_SCOPES = normalizeScopes([...ADMIN_SCOPES, ...ERASE_JOB_SCOPES]);

export interface AccountFactoryInput {
  username?: string;
  email?: string;
  company?: string | null;
  region?: "global" | "eu";
  signedUpAt?: Date;
  parentId?: number | null;
  scopes?: readonly string[];
}

export async function createAccount(input: AccountFactoryInput = {}) {
  const id = nextId++;
  const set = await ensureScopeSet(getDb(), input.scopes ?? PRE_CUTOFF_SCOPES);
  const username = input.username ?? `test-account-${id}`;
  return getDb().account.create({
    data: {
      id,
      username,
      email: input.email ?? `${username}@factory.example`,
      company: input.company === undefined ? "Factory Ltd" : input.company,
      region: input.region ?? "global",
      signedUpAt: input.signedUpAt ?? new Date("2021-05-05T10:00:00Z"),
      parentId: input.parentId ?? null,
      scopeSetId: set.id,
    },
  });
}

export async function createApiKey(accountId: number, input: { name?: string; scopes: readonly string[] }) {
  const key = generateApiKey();
  const set = await ensureScopeSet(getDb(), input.scopes);
  await getDb().apiKey.create({
    data: { id: key.id, accountId, name: input.name ?? `key ${key.id}`, scopeSetId: set.id, secretHash: key.hash },
  });
  return { id: key.id, plaintext: key.plaintext };
}
