import "server-only";
import { createHash } from "node:crypto";
import { AppError } from "@/lib/platform/errors";
import type { Db, Tx } from "@/lib/platform/db";
import { scopeSetsById } from "@/lib/scopes/scope-set-cache";
import { previewIdentity, type ResetSubject } from "./preview";

/**
 * Reads what a reset of one account depends on: the account, its parent (for
 * a subuser), its keys and, for a parent, its subusers and their keys. With
 * `lock`, inside the reset transaction: the account row FOR UPDATE (one reset
 * at a time; key creation waits too) and the parent row FOR SHARE (the
 * parent's scopes cannot change under a subuser's reset). Rows are locked
 * alone: a locking join would, for a waiter whose row changed meanwhile, be
 * re-checked against the old scope set and return nothing.
 */
export async function loadResetSubject(db: Db | Tx, accountId: number, { lock }: { lock: boolean }): Promise<LoadedResetSubject> {
  const [account] = lock
    ? await db.$queryRaw<AccountRow[]>`
        SELECT id, username, email, signed_up_at, parent_id, scope_set_id, company, region::text AS region, scopes_updated_at
        FROM account WHERE id = ${accountId} FOR UPDATE`
    : await db.$queryRaw<AccountRow[]>`
        SELECT id, username, email, signed_up_at, parent_id, scope_set_id, company, region::text AS region, scopes_updated_at
        FROM account WHERE id = ${accountId}`;
  if (!account) throw new AppError("not_found", `No account with id ${accountId}.`);

  const parentPromise =
    account.parent_id === null
      ? Promise.resolve([] as AccountRow[])
      : lock
        ? db.$queryRaw<AccountRow[]>`
            SELECT id, username, email, signed_up_at, parent_id, scope_set_id FROM account WHERE id = ${account.parent_id} FOR SHARE`
        : db.$queryRaw<AccountRow[]>`
            SELECT id, username, email, signed_up_at, parent_id, scope_set_id FROM account WHERE id = ${account.parent_id}`;
  const subusersPromise =
    account.parent_id === null
      ? db.$queryRaw<AccountRow[]>`
          SELECT id, username, email, signed_up_at, parent_id, scope_set_id, region::text AS region FROM account WHERE parent_id = ${account.id} ORDER BY id`
      : Promise.resolve([] as AccountRow[]);
  const [[parent], subusers] = await Promise.all([parentPromise, subusersPromise]);
  // Every key of the account and, for a parent, of its subusers: the parent's reset bounds theirs.
  const owners = [account.id, ...subusers.map((s) => s.id)];
  const keys = await db.$queryRaw<KeyRow[]>`
    SELECT id, name, account_id, scope_set_id, created_at, last_used_at FROM api_key
    WHERE account_id = ANY(${owners}::int[]) ORDER BY created_at, id`;

  const sets = await scopeSetsById(db, [
    account.scope_set_id,
    ...(parent ? [parent.scope_set_id] : []),
    ...subusers.map((s) => s.scope_set_id),
    ...keys.map((k) => k.scope_set_id),
  ]);
  const set = (id: number) => sets.get(id)!;
  const keysOf = (owner: number) =>
    keys
      .filter((k) => k.account_id === owner)
      .map((k) => ({
        id: k.id,
        name: k.name,
        scopes: set(k.scope_set_id).scopes,
        scopeSetId: k.scope_set_id,
        createdAt: k.created_at,
        lastUsedAt: k.last_used_at,
      }));
  return {
    account: {
      id: account.id,
      username: account.username,
      email: account.email,
      signedUpAt: account.signed_up_at,
      scopeSetId: account.scope_set_id,
      scopes: set(account.scope_set_id).scopes,
      fingerprint: set(account.scope_set_id).fingerprint,
    },
    parent: parent
      ? {
          id: parent.id,
          username: parent.username,
          scopeSetId: parent.scope_set_id,
          scopes: set(parent.scope_set_id).scopes,
          fingerprint: set(parent.scope_set_id).fingerprint,
        }
      : null,
    keys: keysOf(account.id),
    subusers: subusers.map((s) => ({
      id: s.id,
      username: s.username,
      region: s.region,
      scopes: set(s.scope_set_id).scopes,
      scopeSetId: s.scope_set_id,
      keys: keysOf(s.id),
    })),
    profile: {
      company: account.company ?? null,
      region: account.region ?? "global",
      scopesUpdatedAt: account.scopes_updated_at!,
      parentEmail: parent?.email ?? null,
    },
  };
}

/** The rest of the account row, read in the same query, for the account page (no second read of the account). */
export interface AccountProfile {
  company: string | null;
  region: "global" | "eu";
  scopesUpdatedAt: Date;
  parentEmail: string | null;
}

export type LoadedResetSubject = ResetSubject & { profile: AccountProfile };

/** The fingerprint a confirmation must carry (expectedFingerprint): the scope set's own for a parent. */
export function previewFingerprint(subject: ResetSubject): string {
  return subject.parent ? sha256(previewIdentity(subject)) : subject.account.fingerprint;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

interface AccountRow {
  id: number;
  username: string;
  email: string;
  signed_up_at: Date;
  parent_id: number | null;
  scope_set_id: number;
  region?: "global" | "eu";
  /** The account's own row only. */
  company?: string | null;
  scopes_updated_at?: Date;
}

interface KeyRow {
  id: string;
  name: string;
  account_id: number;
  scope_set_id: number;
  created_at: Date;
  last_used_at: Date | null;
}
