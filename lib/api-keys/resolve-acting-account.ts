import "server-only";
import { v3Errors } from "@/lib/erasure/errors";
import type { OnBehalfOf } from "@/lib/erasure/on-behalf-of";
import type { Db, Tx } from "@/lib/platform/db";
import { effectiveScopes, type ScopeHolder } from "@/lib/scopes/effective-scopes";
import type { ActingAccount, ApiCaller } from "./authenticate-api-key";

/** The key, its account and (for a subuser's key) the parent: what the caller may do on its own account. */
function callerChain(caller: ApiCaller): ScopeHolder[] {
  return [
    { kind: "key", label: "this API key", scopes: caller.keyScopes },
    { kind: "account", label: caller.username, scopes: caller.accountScopes },
    ...(caller.parent ? [{ kind: "parent" as const, label: caller.parent.username, scopes: caller.parent.scopes }] : []),
  ];
}

/**
 * Whom the request acts for: the caller's own account, or one of its own
 * subusers named by on-behalf-of. The lookup is scoped by parent, so another
 * account's subuser is as unknown as one that does not exist (404).
 */
export async function resolveActingAccount(db: Db | Tx, caller: ApiCaller, onBehalfOf: OnBehalfOf | null): Promise<ActingAccount> {
  const own = callerChain(caller);
  if (!onBehalfOf) return { id: caller.accountId, username: caller.username, onBehalfOf: null, scopes: effectiveScopes(own), chain: own };
  if (onBehalfOf.kind === "invalid") throw v3Errors.notFound(`on-behalf-of: ${onBehalfOf.reason}`, "on-behalf-of");
  const rows =
    onBehalfOf.kind === "account-id"
      ? await db.$queryRaw<{ id: number; username: string; scopes: string[] }[]>`
          SELECT a.id, a.username, s.scopes FROM account a JOIN scope_set s ON s.id = a.scope_set_id
          WHERE a.parent_id = ${caller.accountId} AND a.id = ${onBehalfOf.accountId}`
      : await db.$queryRaw<{ id: number; username: string; scopes: string[] }[]>`
          SELECT a.id, a.username, s.scopes FROM account a JOIN scope_set s ON s.id = a.scope_set_id
          WHERE a.parent_id = ${caller.accountId} AND lower(a.username) = lower(${onBehalfOf.username})`;
  const sub = rows[0];
  if (!sub) throw v3Errors.notFound("on-behalf-of: no such subuser of this account", "on-behalf-of");
  const chain: ScopeHolder[] = [...own, { kind: "subuser", label: sub.username, scopes: sub.scopes }];
  return { id: sub.id, username: sub.username, onBehalfOf: { id: sub.id, username: sub.username }, scopes: effectiveScopes(chain), chain };
}
