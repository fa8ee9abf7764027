import { describe, expect, it } from "vitest";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, isPlatformManagedScope } from "@/lib/scopes/catalog";
import { computeKeyImpact, keyLossesIdentity, type KeyImpactInput } from "./key-impact";
import { planScopeReset } from "./plan";

const ADMIN = ADMIN_SCOPES.filter((s) => !isPlatformManagedScope(s) && !(ERASE_JOB_SCOPES as readonly string[]).includes(s));
/** The account: legacy scopes a default reset removes, and the group's plural spelling of a default scope. */
const LEGACY = [
  ...ADMIN.map((s) => (s === "di.bounce_block_classification.read" ? "di.bounce_block_classifications.read" : s)),
  "email_activity.read",
  "mail.legacy_smtp_api.send",
];
const LEGACY_SENDER = ["mail.send", "email_activity.read", "mail.legacy_smtp_api.send", "di.bounce_block_classifications.read"];

function impactOf(input: Partial<KeyImpactInput> & Pick<KeyImpactInput, "before" | "after">) {
  return computeKeyImpact({ account: { id: 1, username: "legacy-keys" }, parentScopes: null, keys: [], subusers: [], ...input });
}

describe("computeKeyImpact", () => {
  it("lists each key that would lose effective scopes, and which (the issue's 4-scope key keeps 2, not 1)", () => {
    const plan = planScopeReset({ current: LEGACY });
    expect(plan.removed).toEqual(["email_activity.read", "mail.legacy_smtp_api.send"]);
    const impact = impactOf({
      before: plan.before,
      after: plan.after,
      keys: [
        { id: "k1", name: "Legacy sender", scopes: LEGACY_SENDER },
        { id: "k2", name: "Mail", scopes: ["mail.send"] },
      ],
    });
    expect(impact.losses).toEqual([
      {
        keyId: "k1",
        keyName: "Legacy sender",
        accountId: 1,
        accountUsername: "legacy-keys",
        loses: ["email_activity.read", "mail.legacy_smtp_api.send"],
      },
    ]);
    // Both keys were created before the reset: neither has the erase-job scopes.
    expect(impact.keysLackingEraseJob.map((k) => k.keyId)).toEqual(["k1", "k2"]);
  });

  it("counts nothing as lost for a minimal reset", () => {
    const plan = planScopeReset({ current: LEGACY, mode: "minimal" });
    expect(impactOf({ before: plan.before, after: plan.after, keys: [{ id: "k1", name: "x", scopes: LEGACY_SENDER }] }).losses).toEqual([]);
  });

  it("bounds the subusers' keys by the parent's reset", () => {
    const impact = impactOf({
      before: ["mail.send", "email_activity.read"],
      after: ["mail.send", ...ERASE_JOB_SCOPES],
      subusers: [
        {
          id: 2,
          username: "sub",
          scopes: ["mail.send", "email_activity.read"],
          keys: [{ id: "s1", name: "Sub key", scopes: ["email_activity.read", "mail.send"] }],
        },
        { id: 3, username: "sub-with-erase", scopes: ["mail.send", ...ERASE_JOB_SCOPES], keys: [] },
      ],
    });
    expect(impact.losses).toEqual([
      { keyId: "s1", keyName: "Sub key", accountId: 2, accountUsername: "sub", loses: ["email_activity.read"] },
    ]);
    expect(impact.subusersLackingEraseJob).toEqual([{ id: 2, username: "sub", missing: [...ERASE_JOB_SCOPES] }]);
  });

  it("lists a subuser as lacking when its parent still lacks the scopes, whatever the subuser holds", () => {
    const impact = impactOf({
      before: ["mail.send"],
      after: ["mail.send", "alerts.read"],
      subusers: [{ id: 2, username: "sub", scopes: ["mail.send", ...ERASE_JOB_SCOPES], keys: [] }],
    });
    expect(impact.subusersLackingEraseJob.map((s) => s.id)).toEqual([2]);
  });

  it("bounds a subuser's own keys by its parent", () => {
    const impact = impactOf({
      before: ["mail.send", "stats.read"],
      after: ["mail.send", ...ERASE_JOB_SCOPES],
      parentScopes: ["mail.send", "stats.read", ...ERASE_JOB_SCOPES],
      keys: [{ id: "k", name: "k", scopes: ["stats.read", "mail.send", ...ERASE_JOB_SCOPES] }],
    });
    expect(impact.losses[0]?.loses).toEqual(["stats.read"]);
    expect(impact.keysLackingEraseJob).toEqual([]);
  });
});

describe("keyLossesIdentity", () => {
  it("does not depend on the order of keys, and changes with what is lost", () => {
    const a = { keyId: "a", keyName: "A", accountId: 1, accountUsername: "x", loses: ["p"] };
    const b = { keyId: "b", keyName: "B", accountId: 1, accountUsername: "x", loses: ["q"] };
    expect(keyLossesIdentity([a, b])).toBe(keyLossesIdentity([b, a]));
    expect(keyLossesIdentity([a, b])).not.toBe(keyLossesIdentity([a, { ...b, loses: ["q", "r"] }]));
  });
});
