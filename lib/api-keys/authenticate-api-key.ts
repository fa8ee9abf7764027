import "server-only";
import { apiKeyMatches, hashApiKey, parseApiKey } from "@/lib/api-keys/api-key-format";
import { Prisma } from "@/lib/generated/prisma/client";
import type { ScopeHolder } from "@/lib/scopes/effective-scopes";
import type { Db, Tx } from "@/lib/platform/db";
import { rateLimitState, rateLimitUpsert, type RateLimitState } from "./rate-limit";
import { recordKeyUse } from "./record-key-use";
import { scopeSetsById } from "@/lib/scopes/scope-set-cache";

/**
 * API-key authentication for the customer API. A key acts with its own
 * scopes, but never beyond what its account holds today: the effective scopes
 * are key ∩ account, ∩ parent for a subuser's key, and ∩ subuser with
 * on-behalf-of (lib/scopes/effective-scopes.ts). A key created before a scope
 * reset keeps the scopes it was created with, so it stays without the
 * erase-job scopes.
 */
export interface ApiCaller {
  keyId: string;
  accountId: number;
  /** Set when the key belongs to a subuser: the parent's id, username and scopes bound the subuser's. */
  parent: { id: number; username: string; scopes: readonly string[] } | null;
  username: string;
  keyScopes: readonly string[];
  accountScopes: readonly string[];
}

export interface ActingAccount {
  id: number;
  username: string;
  /** The subuser when the request came with on-behalf-of, else null. */
  onBehalfOf: { id: number; username: string } | null;
  /** Effective scopes, sorted. */
  scopes: string[];
  /** Who holds what: the key, its account, the parent or the subuser acted for; an error can name the one lacking a scope. */
  chain: ScopeHolder[];
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export interface AuthenticatedRequest {
  /** null for a missing, malformed or unknown key (the caller cannot tell which). */
  caller: ApiCaller | null;
  /** The key's account's rate-limit window, counted in the same statement; null when not authenticated. */
  limit: RateLimitState | null;
}

/**
 * Finds the key and, when the presented secret's hash matches, counts the
 * request against its account's rate-limit window: one round trip for both,
 * as this runs on every /v3 request. The hash is compared again in constant
 * time here; the SQL comparison only decides whether to count. A key not
 * used within the minute is noted as used now, written after the request
 * (./record-key-use.ts): no write on the request's path.
 */
export async function authenticateApiKey(db: Db | Tx, authorization: string | null): Promise<AuthenticatedRequest> {
  const token = authorization ? BEARER.exec(authorization)?.[1] : undefined;
  const parsed = token ? parseApiKey(token) : null;
  if (!token || !parsed) return { caller: null, limit: null };
  const [row] = await db.$queryRaw<
    {
      id: string;
      secret_hash: string;
      account_id: number;
      last_used_at: Date | null;
      parent_id: number | null;
      username: string;
      key_scope_set_id: number;
      account_scope_set_id: number;
      parent_username: string | null;
      parent_scope_set_id: number | null;
      count: number | null;
      reset: number | null;
    }[]
  >`
    WITH k AS (
      SELECT k.id, k.secret_hash, k.account_id, k.last_used_at, a.parent_id, a.username,
             k.scope_set_id AS key_scope_set_id, a.scope_set_id AS account_scope_set_id,
             p.username AS parent_username, p.scope_set_id AS parent_scope_set_id
      FROM api_key k
      JOIN account a ON a.id = k.account_id
      LEFT JOIN account p ON p.id = a.parent_id
      WHERE k.id = ${parsed.id}
    ), hit AS (
      ${rateLimitUpsert(Prisma.sql`SELECT 'account:' || k.account_id FROM k WHERE k.secret_hash = ${hashApiKey(token)}`)}
    )
    SELECT k.*, hit.count, hit.reset FROM k LEFT JOIN hit ON true`;
  if (!row || !apiKeyMatches(token, row.secret_hash) || row.count === null || row.reset === null) return { caller: null, limit: null };
  recordKeyUse(row.id, row.last_used_at);
  const sets = await scopeSetsById(db, [
    row.key_scope_set_id,
    row.account_scope_set_id,
    ...(row.parent_scope_set_id === null ? [] : [row.parent_scope_set_id]),
  ]);
  return {
    caller: {
      keyId: row.id,
      accountId: row.account_id,
      parent:
        row.parent_id === null || row.parent_scope_set_id === null
          ? null
          : { id: row.parent_id, username: row.parent_username ?? "", scopes: sets.get(row.parent_scope_set_id)!.scopes },
      username: row.username,
      // Immutable sets, cached in process: two ids read instead of two arrays of ~200 scopes.
      keyScopes: sets.get(row.key_scope_set_id)!.scopes,
      accountScopes: sets.get(row.account_scope_set_id)!.scopes,
    },
    limit: rateLimitState(row.count, row.reset),
  };
}
