/**
 * What an approval is bound to besides the plan: the facts a reset of the
 * account depends on (its scopes, the parent's, every key of it and of its
 * subusers with their scopes, its subusers' scopes), as they were when the
 * approval was requested. Stored compactly by scope-set id (sets are
 * immutable and content-addressed, decision 002), so the identity is cheap to
 * recompute under the reset's lock; expanded to scope lists only to say what
 * changed, field by field ("key 'Prod sender' now has mail.send removed").
 * A key's last use is not a fact of the plan: using a key never voids an
 * approval. Pure.
 */
import { eraseJobScopesOf } from "@/lib/scopes/catalog";
import { boundedList, count, oneLine } from "@/lib/scope-resets/text-parts";

export interface FactsOf<S> {
  account: { id: number; username: string; scopes: S };
  /** For a subuser: its parent. */
  parent: { id: number; username: string; scopes: S } | null;
  /** Every key of the account and, for a parent, of its subusers. */
  keys: readonly { id: string; name: string; accountId: number; scopes: S }[];
  /** For a parent: its subusers. */
  subusers: readonly { id: number; username: string; scopes: S }[];
}

/** As stored with the request: scope-set ids. */
export type CompactFacts = FactsOf<number>;
/** As compared and shown: the scopes themselves. */
export type ResetFacts = FactsOf<readonly string[]>;

/** A subject as the reset reads it (lib/scope-resets/load-reset-subject.ts), with its scope-set ids. */
export interface FactsSource {
  account: { id: number; username: string; scopeSetId: number };
  parent: { id: number; username: string; scopeSetId?: number } | null;
  keys: readonly { id: string; name: string; scopeSetId?: number }[];
  subusers: readonly {
    id: number;
    username: string;
    scopeSetId?: number;
    keys: readonly { id: string; name: string; scopeSetId?: number }[];
  }[];
}

export function compactFacts(subject: FactsSource): CompactFacts {
  const set = (owner: string, id: number | undefined) => {
    if (id === undefined) throw new Error(`compactFacts: ${owner} has no scope-set id (read it with loadResetSubject)`);
    return id;
  };
  const keys = [
    ...subject.keys.map((k) => ({ id: k.id, name: k.name, accountId: subject.account.id, scopes: set(`key ${k.id}`, k.scopeSetId) })),
    ...subject.subusers.flatMap((s) =>
      s.keys.map((k) => ({ id: k.id, name: k.name, accountId: s.id, scopes: set(`key ${k.id}`, k.scopeSetId) })),
    ),
  ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    account: { id: subject.account.id, username: subject.account.username, scopes: subject.account.scopeSetId },
    parent: subject.parent
      ? { id: subject.parent.id, username: subject.parent.username, scopes: set(`parent ${subject.parent.id}`, subject.parent.scopeSetId) }
      : null,
    keys,
    subusers: subject.subusers
      .map((s) => ({ id: s.id, username: s.username, scopes: set(`subuser ${s.id}`, s.scopeSetId) }))
      .sort((a, b) => a.id - b.id),
  };
}

/** The text the facts' fingerprint is the SHA-256 of: equal facts, equal text, whatever order they were read in. */
export function factsIdentity(facts: CompactFacts): string {
  return JSON.stringify([
    [facts.account.id, facts.account.username, facts.account.scopes],
    facts.parent ? [facts.parent.id, facts.parent.username, facts.parent.scopes] : null,
    [...facts.keys].sort((a, b) => (a.id < b.id ? -1 : 1)).map((k) => [k.id, k.name, k.accountId, k.scopes]),
    [...facts.subusers].sort((a, b) => a.id - b.id).map((s) => [s.id, s.username, s.scopes]),
  ]);
}

/**
 * A family's subuser, as its own transaction reads it: its scopes and keys
 * must be what they were at the request. Its parent is not compared here: the
 * parent is reset first by the same approval, and the subuser's confirmation
 * carries the parent's planned scopes in its preview fingerprint.
 */
export function memberIdentity(facts: CompactFacts, accountId: number): string | null {
  const sub =
    accountId === facts.account.id
      ? { id: facts.account.id, scopes: facts.account.scopes }
      : facts.subusers.find((s) => s.id === accountId);
  if (!sub) return null;
  const keys = facts.keys.filter((k) => k.accountId === accountId).map((k) => [k.id, k.name, k.scopes]);
  return JSON.stringify([sub.id, sub.scopes, keys]);
}

/** The same member, read as its own subject (the subuser with its keys). */
export function memberIdentityOf(subject: FactsSource): string {
  const own = compactFacts({ ...subject, subusers: [] });
  return memberIdentity(own, subject.account.id)!;
}

export interface FactChange {
  /** What changed: the account, its parent, a key or a subuser. */
  subject: "account" | "parent" | "key" | "subuser";
  text: string;
}

const SCOPES_NAMED = 6;

function scopeList(scopes: readonly string[]): string {
  return boundedList(scopes, SCOPES_NAMED, (n) => `and ${n} more`).join(", ");
}

function delta(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const was = new Set(before);
  const is = new Set(after);
  return { added: [...is].filter((s) => !was.has(s)).sort(), removed: [...was].filter((s) => !is.has(s)).sort() };
}

function changeWords(d: { added: string[]; removed: string[] }): string {
  const parts: string[] = [];
  if (d.removed.length > 0) parts.push(`${scopeList(d.removed)} removed`);
  if (d.added.length > 0) parts.push(`${scopeList(d.added)} added`);
  return parts.join(" and ");
}

/** Field by field, what is different now from when the approval was requested; empty when nothing is. */
export function diffResetFacts(then: ResetFacts, now: ResetFacts): FactChange[] {
  const changes: FactChange[] = [];
  const name = (a: { id: number; username: string }) => `${oneLine(a.username)} (#${a.id})`;

  const own = delta(then.account.scopes, now.account.scopes);
  if (own.added.length + own.removed.length > 0) {
    const resetSince = !eraseJobScopesOf(then.account.scopes).both && eraseJobScopesOf(now.account.scopes).both;
    const lead = resetSince ? "The account was reset since: it now has the erase-job scopes. " : "";
    const parts: string[] = [];
    if (own.added.length > 0) parts.push(`${count(own.added.length, "scope")} added to the account (${scopeList(own.added)})`);
    if (own.removed.length > 0) parts.push(`${count(own.removed.length, "scope")} removed from the account (${scopeList(own.removed)})`);
    changes.push({ subject: "account", text: `${lead}${parts.join("; ")}.` });
  }

  if (then.parent && now.parent) {
    const d = delta(then.parent.scopes, now.parent.scopes);
    if (d.added.length + d.removed.length > 0)
      changes.push({ subject: "parent", text: `The parent ${name(now.parent)} now has ${changeWords(d)}.` });
  }

  const keyOwner = (k: { accountId: number }, facts: ResetFacts) => {
    if (k.accountId === facts.account.id) return "";
    const sub = facts.subusers.find((s) => s.id === k.accountId);
    return ` of subuser ${sub ? oneLine(sub.username) : `#${k.accountId}`}`;
  };
  const keyName = (k: { id: string; name: string }) => `key '${oneLine(k.name) || "(unnamed)"}' (${oneLine(k.id)})`;
  const keysNow = new Map(now.keys.map((k) => [k.id, k]));
  const keysThen = new Map(then.keys.map((k) => [k.id, k]));
  for (const k of then.keys) {
    const current = keysNow.get(k.id);
    if (!current) {
      changes.push({ subject: "key", text: `${cap(keyName(k))}${keyOwner(k, then)} was deleted.` });
      continue;
    }
    if (current.name !== k.name)
      changes.push({ subject: "key", text: `${cap(keyName(k))}${keyOwner(k, then)} was renamed '${oneLine(current.name)}'.` });
    const d = delta(k.scopes, current.scopes);
    if (d.added.length + d.removed.length > 0)
      changes.push({ subject: "key", text: `${cap(keyName(current))}${keyOwner(current, now)} now has ${changeWords(d)}.` });
  }
  for (const k of now.keys) {
    if (!keysThen.has(k.id))
      changes.push({ subject: "key", text: `${cap(keyName(k))}${keyOwner(k, now)} was created, with ${count(k.scopes.length, "scope")}.` });
  }

  const subsNow = new Map(now.subusers.map((s) => [s.id, s]));
  const subsThen = new Set(then.subusers.map((s) => s.id));
  for (const s of then.subusers) {
    const current = subsNow.get(s.id);
    if (!current) {
      changes.push({ subject: "subuser", text: `Subuser ${name(s)} is no longer a subuser of this account.` });
      continue;
    }
    const d = delta(s.scopes, current.scopes);
    if (d.added.length + d.removed.length === 0) continue;
    const reset = !eraseJobScopesOf(s.scopes).both && eraseJobScopesOf(current.scopes).both;
    changes.push({
      subject: "subuser",
      text: reset
        ? `Subuser ${name(current)} was reset: it now has the erase-job scopes (${changeWords(d)}).`
        : `Subuser ${name(current)} now has ${changeWords(d)}.`,
    });
  }
  for (const s of now.subusers)
    if (!subsThen.has(s.id)) changes.push({ subject: "subuser", text: `Subuser ${name(s)} was added to this account.` });
  return changes;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
