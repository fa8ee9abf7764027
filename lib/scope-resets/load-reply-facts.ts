import "server-only";
import { AppError } from "@/lib/platform/errors";
import type { Db, Tx } from "@/lib/platform/db";
import { eraseJobScopesOf } from "@/lib/scopes/catalog";
import { effectiveScopes, type ScopeHolder } from "@/lib/scopes/effective-scopes";
import { replyFactsIdentity, type ReplyAccountFacts, type ReplyFacts, type ReplyKey } from "./customer-reply";
import type { ExistingKey } from "./key-impact";
import { loadResetSubject, sha256, type LoadedResetSubject } from "./load-reset-subject";
import type { ResetImpact } from "./notes";

/** What a reply is about: one reset, a family reset, or an account with nothing to reset (the customer needs a new key). */
export type ReplySubject =
  { kind: "reset"; resetId: string } | { kind: "family"; familyResetId: string } | { kind: "account"; accountId: number };

export interface LoadedReplyFacts {
  facts: ReplyFacts;
  /** sha256 of the facts: what a send must carry to show it was drafted from these. */
  factsFingerprint: string;
  /** The reset the reply's delivery belongs to (a family's first reset); null for an account's reply. */
  anchorResetId: string | null;
  /** The account the reply is about (the family's parent). */
  accountId: number;
  familyResetId: string | null;
  /** The reset's ticket; null for an account's reply (the agent names the ticket). */
  ticket: { ticketId: string; url: string } | null;
}

/**
 * The facts a reply states, read from the account as it is now (decision
 * 026): which accounts hold the erase-job scopes, which of their keys lack
 * them, which keys lost scopes in the reset and still lack them (keys deleted
 * since are not named), which subusers still lack them (subusers reset since
 * are not named). Read when the reply is drafted and again, in the sending
 * transaction, when it is sent.
 */
export async function loadReplyFacts(db: Db | Tx, subject: ReplySubject): Promise<LoadedReplyFacts> {
  if (subject.kind === "account") {
    const loaded = await loadResetSubject(db, subject.accountId, { lock: false });
    const account = accountFacts(loaded, loaded.account.id, []);
    if (!account.hasEraseJob) {
      throw new AppError(
        "conflict",
        `${loaded.account.username} lacks the erase-job scopes, so a reply saying it has them would be untrue: reset the account instead.`,
      );
    }
    return finish(
      { kind: "new_key_only", accounts: [account], parent: parentOf(loaded), subusersLacking: subusersLacking(loaded) },
      {
        anchorResetId: null,
        accountId: loaded.account.id,
        familyResetId: null,
        ticket: null,
      },
    );
  }

  const resets = await db.scopeReset.findMany({
    where: subject.kind === "reset" ? { id: subject.resetId } : { familyResetId: subject.familyResetId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, outcome: true, accountId: true, impact: true, familyResetId: true, ticketId: true, ticketUrl: true },
  });
  const first = resets[0];
  if (!first) {
    throw new AppError(
      "not_found",
      subject.kind === "reset" ? `No scope reset with id ${subject.resetId}.` : `No family reset with id ${subject.familyResetId}.`,
    );
  }
  if (subject.kind === "reset" && first.familyResetId) {
    throw new AppError(
      "conflict",
      "This reset was part of a family reset, which has one reply for all its accounts: send it from the family reset's page.",
      {
        familyResetId: first.familyResetId,
      },
    );
  }
  const done = resets.filter((r) => r.outcome === "succeeded");
  const anchor = done[0];
  if (!anchor) throw new AppError("conflict", "Nothing was reset, so there is no reply to send.");

  // The parent of a family; for one reset, its own account (whose subusers, if any, the reply names).
  const rootId = subject.kind === "family" ? await familyParentId(db, anchor.accountId) : anchor.accountId;
  const loaded = await loadResetSubject(db, rootId, { lock: false });
  const accounts = done.map((r) =>
    r.accountId === loaded.account.id
      ? accountFacts(loaded, loaded.account.id, lostOf(r.impact))
      : subuserFacts(loaded, r.accountId, lostOf(r.impact)),
  );
  return finish(
    {
      kind: subject.kind === "family" ? "family" : "reset",
      accounts,
      parent: subject.kind === "family" ? { username: loaded.account.username } : parentOf(loaded),
      subusersLacking: subusersLacking(loaded),
    },
    {
      anchorResetId: anchor.id,
      accountId: rootId,
      familyResetId: first.familyResetId,
      ticket: { ticketId: anchor.ticketId, url: anchor.ticketUrl },
    },
  );
}

/** The accounts a reply tells about (decision 045): the reset ones (a family's parent only when it was reset), or the one account. */
export function replyAccountIds(loaded: LoadedReplyFacts): number[] {
  const ids = loaded.facts.accounts.map((a) => a.id);
  return ids.length > 0 ? ids : [loaded.accountId];
}

function finish(facts: ReplyFacts, rest: Omit<LoadedReplyFacts, "facts" | "factsFingerprint">): LoadedReplyFacts {
  return { facts, factsFingerprint: sha256(replyFactsIdentity(facts)), ...rest };
}

async function familyParentId(db: Db | Tx, accountId: number): Promise<number> {
  const row = await db.account.findUniqueOrThrow({ where: { id: accountId }, select: { id: true, parentId: true } });
  return row.parentId ?? row.id;
}

function lostOf(impact: unknown): ResetImpact["losses"] {
  return ((impact as ResetImpact | null)?.losses ?? []).filter((l) => l.loses.length > 0);
}

function parentOf(loaded: LoadedResetSubject): ReplyFacts["parent"] {
  return loaded.parent ? { username: loaded.parent.username } : null;
}

const chainOf = (
  owner: { label: string; scopes: readonly string[] },
  parent: { label: string; scopes: readonly string[] } | null,
): ScopeHolder[] => [{ kind: "account", ...owner }, ...(parent ? [{ kind: "parent" as const, ...parent }] : [])];

/** A key's effective scopes now: its own ∩ its account's ∩ the parent's. */
function keyEffective(key: ExistingKey, chain: ScopeHolder[]): string[] {
  return effectiveScopes([{ kind: "key", label: key.name, scopes: key.scopes }, ...chain]);
}

function keysLacking(keys: readonly ExistingKey[], chain: ScopeHolder[], subuser: string | null): ReplyKey[] {
  return keys.filter((k) => !eraseJobScopesOf(keyEffective(k, chain)).both).map((k) => ({ keyId: k.id, keyName: k.name, subuser }));
}

/** The reset's key losses that are still true: the key exists and still cannot use what it lost. */
function stillLost(
  losses: ResetImpact["losses"],
  keys: ReadonlyMap<string, { key: ExistingKey; chain: ScopeHolder[]; subuser: string | null }>,
): ReplyAccountFacts["keysLost"] {
  return losses.flatMap((l) => {
    const held = keys.get(l.keyId);
    if (!held) return [];
    const now = new Set(keyEffective(held.key, held.chain));
    const loses = l.loses.filter((s) => !now.has(s));
    return loses.length === 0 ? [] : [{ keyId: l.keyId, keyName: held.key.name, subuser: held.subuser, loses }];
  });
}

/** Every key of the loaded account and its subusers, with the chain it acts under now. */
function keyIndex(loaded: LoadedResetSubject) {
  const parent = loaded.parent ? { label: loaded.parent.username, scopes: loaded.parent.scopes } : null;
  const own = chainOf({ label: loaded.account.username, scopes: loaded.account.scopes }, parent);
  const index = new Map<string, { key: ExistingKey; chain: ScopeHolder[]; subuser: string | null }>();
  for (const key of loaded.keys) index.set(key.id, { key, chain: own, subuser: null });
  for (const sub of loaded.subusers) {
    const chain = chainOf({ label: sub.username, scopes: sub.scopes }, { label: loaded.account.username, scopes: loaded.account.scopes });
    for (const key of sub.keys) index.set(key.id, { key, chain, subuser: sub.username });
  }
  return { own, index };
}

function accountFacts(loaded: LoadedResetSubject, accountId: number, losses: ResetImpact["losses"]): ReplyAccountFacts {
  const { own, index } = keyIndex(loaded);
  return {
    id: accountId,
    username: loaded.account.username,
    role: loaded.parent ? "subuser" : loaded.subusers.length > 0 ? "parent" : "account",
    hasEraseJob: eraseJobScopesOf(effectiveScopes(own)).both,
    keysLacking: keysLacking(loaded.keys, own, null),
    keysLost: stillLost(losses, index),
  };
}

function subuserFacts(loaded: LoadedResetSubject, subuserId: number, losses: ResetImpact["losses"]): ReplyAccountFacts {
  const sub = loaded.subusers.find((s) => s.id === subuserId);
  if (!sub)
    throw new AppError(
      "conflict",
      `Account ${subuserId} is no longer a subuser of ${loaded.account.username}: review the family before replying.`,
    );
  const { index } = keyIndex(loaded);
  const chain = chainOf({ label: sub.username, scopes: sub.scopes }, { label: loaded.account.username, scopes: loaded.account.scopes });
  return {
    id: sub.id,
    username: sub.username,
    role: "subuser",
    hasEraseJob: eraseJobScopesOf(effectiveScopes(chain)).both,
    keysLacking: keysLacking(sub.keys, chain, sub.username),
    keysLost: stillLost(losses, index),
  };
}

function subusersLacking(loaded: LoadedResetSubject): ReplyFacts["subusersLacking"] {
  return loaded.subusers
    .filter(
      (s) =>
        !eraseJobScopesOf(
          effectiveScopes(
            chainOf({ label: s.username, scopes: s.scopes }, { label: loaded.account.username, scopes: loaded.account.scopes }),
          ),
        ).both,
    )
    .map((s) => ({ id: s.id, username: s.username }));
}
