import { describe, expect, it } from "vitest";
import { compactFacts, diffResetFacts, factsIdentity, memberIdentity, memberIdentityOf, type ResetFacts } from "./facts";

const ERASE = ["recipients.erasejob.create", "recipients.erasejob.read"];
const BASE: ResetFacts = {
  account: { id: 100001, username: "legacy-acme", scopes: ["mail.send", "stats.read"] },
  parent: null,
  keys: [
    { id: "KEY1", name: "Prod sender", accountId: 100001, scopes: ["mail.send", "stats.read"] },
    { id: "KEY2", name: "Reports", accountId: 100002, scopes: ["stats.read"] },
  ],
  subusers: [{ id: 100002, username: "legacy-acme-marketing", scopes: ["mail.send", "stats.read"] }],
};

describe("diffResetFacts", () => {
  it("finds nothing when nothing changed", () => {
    expect(diffResetFacts(BASE, structuredClone(BASE))).toEqual([]);
  });

  it("says which scope a key lost or gained, naming the key", () => {
    const now: ResetFacts = { ...BASE, keys: [{ ...BASE.keys[0]!, scopes: ["stats.read", "templates.read"] }, BASE.keys[1]!] };
    expect(diffResetFacts(BASE, now)).toEqual([
      { subject: "key", text: "Key 'Prod sender' (KEY1) now has mail.send removed and templates.read added." },
    ]);
  });

  it("names keys created, deleted and renamed, and a subuser's keys by their subuser", () => {
    const now: ResetFacts = {
      ...BASE,
      keys: [
        { id: "KEY2", name: "Reports v2", accountId: 100002, scopes: ["stats.read"] },
        { id: "KEY3", name: "New one", accountId: 100001, scopes: ["mail.send"] },
      ],
    };
    expect(diffResetFacts(BASE, now).map((c) => c.text)).toEqual([
      "Key 'Prod sender' (KEY1) was deleted.",
      "Key 'Reports' (KEY2) of subuser legacy-acme-marketing was renamed 'Reports v2'.",
      "Key 'New one' (KEY3) was created, with 1 scope.",
    ]);
  });

  it("says a subuser was reset when it gained the erase-job scopes, and a subuser added or gone", () => {
    const now: ResetFacts = {
      ...BASE,
      subusers: [
        { id: 100002, username: "legacy-acme-marketing", scopes: ["mail.send", "stats.read", ...ERASE] },
        { id: 100009, username: "newcomer", scopes: [] },
      ],
    };
    expect(diffResetFacts(BASE, now).map((c) => c.text)).toEqual([
      "Subuser legacy-acme-marketing (#100002) was reset: it now has the erase-job scopes (recipients.erasejob.create, recipients.erasejob.read added).",
      "Subuser newcomer (#100009) was added to this account.",
    ]);
    expect(diffResetFacts(now, BASE).map((c) => c.text)).toContain("Subuser newcomer (#100009) is no longer a subuser of this account.");
  });

  it("counts and bounds the account's own changes, and says when the account was reset since", () => {
    const many = Array.from({ length: 9 }, (_, i) => `scope.${i}`);
    const now: ResetFacts = { ...BASE, account: { ...BASE.account, scopes: ["mail.send", ...ERASE, ...many] } };
    expect(diffResetFacts(BASE, now)).toEqual([
      {
        subject: "account",
        text:
          "The account was reset since: it now has the erase-job scopes. 11 scopes added to the account " +
          "(recipients.erasejob.create, recipients.erasejob.read, scope.0, scope.1, scope.2, scope.3, and 5 more); " +
          "1 scope removed from the account (stats.read).",
      },
    ]);
  });

  it("says what changed on a subuser's parent", () => {
    const sub: ResetFacts = {
      account: { id: 2, username: "sub", scopes: [] },
      parent: { id: 1, username: "top", scopes: ["a"] },
      keys: [],
      subusers: [],
    };
    expect(diffResetFacts(sub, { ...sub, parent: { id: 1, username: "top", scopes: ["b"] } })).toEqual([
      { subject: "parent", text: "The parent top (#1) now has a removed and b added." },
    ]);
  });
});

describe("identities", () => {
  const source = {
    account: { id: 1, username: "top", scopeSetId: 10 },
    parent: null,
    keys: [
      { id: "B", name: "b", scopeSetId: 11 },
      { id: "A", name: "a", scopeSetId: 12 },
    ],
    subusers: [{ id: 2, username: "sub", scopeSetId: 13, keys: [{ id: "C", name: "c", scopeSetId: 14 }] }],
  };

  it("are the same whatever order the keys were read in, and differ when a key's scope set does", () => {
    const a = compactFacts(source);
    const b = compactFacts({ ...source, keys: [...source.keys].reverse() });
    expect(factsIdentity(a)).toBe(factsIdentity(b));
    const c = compactFacts({ ...source, keys: [{ id: "B", name: "b", scopeSetId: 99 }, source.keys[1]!] });
    expect(factsIdentity(c)).not.toBe(factsIdentity(a));
  });

  it("compare a family's subuser with its own keys, not its parent", () => {
    const family = compactFacts(source);
    const asRead = {
      account: { id: 2, username: "sub", scopeSetId: 13 },
      parent: { id: 1, username: "top", scopeSetId: 77 },
      keys: [{ id: "C", name: "c", scopeSetId: 14 }],
      subusers: [],
    };
    expect(memberIdentityOf(asRead)).toBe(memberIdentity(family, 2));
    expect(memberIdentityOf({ ...asRead, keys: [] })).not.toBe(memberIdentity(family, 2));
    expect(memberIdentity(family, 3)).toBeNull();
  });

  it("refuse a subject read without its scope-set ids", () => {
    expect(() => compactFacts({ ...source, keys: [{ id: "X", name: "x" }] })).toThrow(/no scope-set id/);
  });
});
