import { describe, expect, it } from "vitest";
import { ADMIN_SCOPES, groupById, isParentOnlyScope, PARENT_ONLY_SCOPE_FAMILIES } from "./catalog";
import { effectiveScopes, holdersLacking, scopesNotIn, subuserCeiling, type ScopeHolder } from "./effective-scopes";

const key = (scopes: string[]): ScopeHolder => ({ kind: "key", label: "this API key", scopes });
const account = (scopes: string[]): ScopeHolder => ({ kind: "account", label: "acme", scopes });
const parent = (scopes: string[]): ScopeHolder => ({ kind: "parent", label: "acme-parent", scopes });
const subuser = (scopes: string[]): ScopeHolder => ({ kind: "subuser", label: "acme-eu", scopes });

describe("parent-only families", () => {
  it("are whole catalog groups whose scopes all start with the family prefix", () => {
    for (const family of PARENT_ONLY_SCOPE_FAMILIES) {
      const group = groupById(family.groupId);
      expect(group, family.groupId).toBeDefined();
      for (const scope of group!.scopes) expect(scope.startsWith(family.prefix), scope).toBe(true);
    }
  });

  it("cover the 35 admin scopes the issue found on a reset subuser", () => {
    expect(ADMIN_SCOPES.filter(isParentOnlyScope)).toHaveLength(35);
  });
});

describe("effectiveScopes", () => {
  it("is what every holder has, in the first holder's spelling, sorted", () => {
    expect(effectiveScopes([key(["mail.send", "stats.read", "alerts.read"]), account(["stats.read", "mail.send"])])).toEqual([
      "mail.send",
      "stats.read",
    ]);
  });

  it("bounds a subuser's key by the parent, and drops parent-only families in a subuser's context", () => {
    const chain = [
      key(["mail.send", "billing.read", "recipients.erasejob.create"]),
      account(["mail.send", "billing.read", "recipients.erasejob.create"]),
      parent(["mail.send", "billing.read"]),
    ];
    expect(effectiveScopes(chain)).toEqual(["mail.send"]);
  });

  it("bounds on-behalf-of by the subuser acted for", () => {
    expect(
      effectiveScopes([
        key(["mail.send", "teammates.read"]),
        account(["mail.send", "teammates.read"]),
        subuser(["mail.send", "teammates.read"]),
      ]),
    ).toEqual(["mail.send"]);
  });

  it("treats the catalog's two spellings of one scope as that scope", () => {
    const chain = [key(["di.bounce_block_classification.read"]), account(["di.bounce_block_classifications.read"])];
    expect(effectiveScopes(chain)).toEqual(["di.bounce_block_classification.read"]);
    expect(scopesNotIn(["di.bounce_block_classifications.read", "x.read"], ["di.bounce_block_classification.read"])).toEqual(["x.read"]);
  });

  it("is empty for an empty chain", () => {
    expect(effectiveScopes([])).toEqual([]);
  });
});

describe("holdersLacking", () => {
  it("names the subuser, not the key, when only the subuser lacks the scope", () => {
    const chain = [key(["recipients.erasejob.create"]), account(["recipients.erasejob.create"]), subuser(["mail.send"])];
    expect(holdersLacking("recipients.erasejob.create", chain).map((h) => h.kind)).toEqual(["subuser"]);
  });

  it("names every holder that lacks it", () => {
    const chain = [key(["mail.send"]), account(["mail.send"]), parent(["mail.send"])];
    expect(holdersLacking("recipients.erasejob.create", chain).map((h) => h.kind)).toEqual(["key", "account", "parent"]);
    expect(holdersLacking("mail.send", chain)).toEqual([]);
  });

  it("blames the accounts, not the key, for a parent-only scope in a subuser's context", () => {
    const chain = [key(["billing.read"]), account(["billing.read"]), parent(["billing.read"])];
    expect(holdersLacking("billing.read", chain).map((h) => h.kind)).toEqual(["account", "parent"]);
  });
});

describe("subuserCeiling", () => {
  it("is the parent's scopes without parent-only families", () => {
    expect(subuserCeiling(["sso.settings.read", "mail.send", "subusers.read", "2fa_required"])).toEqual(["2fa_required", "mail.send"]);
  });
});
