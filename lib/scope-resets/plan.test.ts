import { describe, expect, it } from "vitest";
import {
  ADMIN_SCOPES,
  DEFAULT_ACCOUNT_SCOPES,
  ERASE_JOB_SCOPES,
  isPlatformManagedScope,
  normalizeScopes,
  scopesAfterReset,
} from "@/lib/scopes/catalog";
import { diffScopeSets, offersMinimalPlan, planScopeReset, type ScopeResetPlan } from "./plan";

const DEFAULT_UNMANAGED = DEFAULT_ACCOUNT_SCOPES.filter((s) => !isPlatformManagedScope(s));
/** What a pre-cutoff admin account typically looks like: the admin list without erase-job, plus some platform flags. */
const PRE_CUTOFF_ADMIN = [...ADMIN_SCOPES.filter((s) => !isPlatformManagedScope(s)), "2fa_required", "ui.signup_complete"];

function expectNormalised(plan: ScopeResetPlan): void {
  for (const key of ["before", "after", "added", "removed", "kept", "preservedPlatformManaged"] as const) {
    expect(plan[key], key).toEqual(normalizeScopes(plan[key]));
  }
}

function expectConsistent(plan: ScopeResetPlan): void {
  expectNormalised(plan);
  expect(normalizeScopes([...plan.kept, ...plan.added])).toEqual(plan.after);
  expect(normalizeScopes([...plan.kept, ...plan.removed])).toEqual(plan.before);
  expect(plan.eraseJobAfter.both).toBe(true);
}

describe("planScopeReset", () => {
  it("uses the catalog's reset rule", () => {
    expect(planScopeReset({ current: PRE_CUTOFF_ADMIN }).after).toEqual(scopesAfterReset(PRE_CUTOFF_ADMIN));
  });

  it("gives a pre-cutoff admin-like account exactly the two erase-job scopes", () => {
    const plan = planScopeReset({ current: PRE_CUTOFF_ADMIN });
    expectConsistent(plan);
    expect(plan.added).toEqual([...ERASE_JOB_SCOPES]);
    expect(plan.removed).toEqual([]);
    expect(plan.kept).toEqual(plan.before);
    expect(plan.preservedPlatformManaged).toEqual(["2fa_required", "ui.signup_complete"]);
    expect(plan.eraseJobBefore).toEqual({ create: false, read: false, both: false, missing: [...ERASE_JOB_SCOPES] });
    expect(plan.eraseJobAfter).toEqual({ create: true, read: true, both: true, missing: [] });
    expect(plan.nothingToDo).toBe(false);
    expect(plan.added.length + plan.removed.length > 0).toBe(true);
  });

  it("normalises its input (whitespace, duplicates, order)", () => {
    const plan = planScopeReset({ current: [" mail.send", "mail.send", "", "alerts.read\t", ...PRE_CUTOFF_ADMIN].reverse() });
    expectConsistent(plan);
    expect(plan.before).toEqual(normalizeScopes(PRE_CUTOFF_ADMIN));
    expect(plan.added).toEqual([...ERASE_JOB_SCOPES]);
  });

  it("removes unknown and legacy scopes", () => {
    const plan = planScopeReset({ current: [...PRE_CUTOFF_ADMIN, "legacy.thing", "zzz.unknown", "mail.batch.legacy_x"] });
    expectConsistent(plan);
    expect(plan.removed).toEqual(["legacy.thing", "mail.batch.legacy_x", "zzz.unknown"]);
    expect(plan.added).toEqual([...ERASE_JOB_SCOPES]);
    expect(plan.after).not.toContain("legacy.thing");
  });

  it("does not add missing platform-managed scopes and keeps the present ones as they are", () => {
    const managedInDefaults = DEFAULT_ACCOUNT_SCOPES.filter(isPlatformManagedScope);
    expect(managedInDefaults.length).toBeGreaterThan(0); // otherwise this test proves nothing

    const none = planScopeReset({ current: ["mail.send"] });
    expect(none.after.filter(isPlatformManagedScope)).toEqual([]);
    expect(none.preservedPlatformManaged).toEqual([]);
    for (const s of managedInDefaults) expect(none.added).not.toContain(s);

    // Including platform-managed scopes outside the catalog (2fa_exempt, made-up ui.* / signup.*).
    const present = ["2fa_exempt", "sender_verification_legacy", "signup.some_future_flag", "ui.custom"];
    const plan = planScopeReset({ current: ["mail.send", ...present] });
    expectConsistent(plan);
    expect(plan.preservedPlatformManaged).toEqual(present);
    expect(plan.after.filter(isPlatformManagedScope)).toEqual(present);
    for (const s of present) {
      expect(plan.kept).toContain(s);
      expect(plan.removed).not.toContain(s);
    }
  });

  it("is idempotent: planning on the result changes nothing", () => {
    for (const start of [PRE_CUTOFF_ADMIN, [], ["legacy.x", "2fa_required"], ["recipients.erasejob.read"]]) {
      const first = planScopeReset({ current: start });
      const second = planScopeReset({ current: first.after });
      expectConsistent(second);
      expect(second.before).toEqual(first.after);
      expect(second.after).toEqual(first.after);
      expect(second.added).toEqual([]);
      expect(second.removed).toEqual([]);
      expect(second.kept).toEqual(first.after);
      expect(second.nothingToDo).toBe(true);
      expect(second.added.length + second.removed.length > 0).toBe(false);
    }
  });

  it("plans the full default set (minus platform-managed scopes) for an empty account", () => {
    const plan = planScopeReset({ current: [] });
    expectConsistent(plan);
    expect(plan.before).toEqual([]);
    expect(plan.after).toEqual(DEFAULT_UNMANAGED);
    expect(plan.added).toEqual(DEFAULT_UNMANAGED);
    expect(plan.removed).toEqual([]);
    expect(plan.kept).toEqual([]);
    expect(plan.preservedPlatformManaged).toEqual([]);
    expect(plan.eraseJobBefore.missing).toEqual([...ERASE_JOB_SCOPES]);
    expect(plan.nothingToDo).toBe(false);
    expect(plan.added.length + plan.removed.length > 0).toBe(true);
  });

  it("adds the missing one when the account has only one erase-job scope", () => {
    const plan = planScopeReset({ current: [...PRE_CUTOFF_ADMIN, "recipients.erasejob.read"] });
    expectConsistent(plan);
    expect(plan.eraseJobBefore).toEqual({ create: false, read: true, both: false, missing: ["recipients.erasejob.create"] });
    expect(plan.added).toEqual(["recipients.erasejob.create"]);
    expect(plan.removed).toEqual([]);
    expect(plan.nothingToDo).toBe(false);
    expect(plan.added.length + plan.removed.length > 0).toBe(true);
  });

  it("says nothing to do when both erase-job scopes are there, even if the reset would change other scopes", () => {
    const plan = planScopeReset({ current: ["mail.send", ...ERASE_JOB_SCOPES, "legacy.thing"] });
    expectConsistent(plan);
    expect(plan.nothingToDo).toBe(true);
    expect(plan.added.length + plan.removed.length > 0).toBe(true);
    expect(plan.removed).toEqual(["legacy.thing"]);
  });

  it("accepts any iterable", () => {
    expect(planScopeReset({ current: new Set(PRE_CUTOFF_ADMIN) }).before).toEqual(normalizeScopes(PRE_CUTOFF_ADMIN));
  });
});

describe("diffScopeSets", () => {
  it("describes a stored before/after pair the same way the plan does", () => {
    const before = ["mail.send", "2fa_required", "alerts.read"];
    const plan = planScopeReset({ current: before });
    expect(diffScopeSets(plan.before, plan.after)).toEqual(plan);
  });

  it("takes the after set as given, not as the catalog would compute it", () => {
    const diff = diffScopeSets(["a.read", "b.read"], ["b.read", "recipients.erasejob.create", "recipients.erasejob.read"]);
    expect(diff.added).toEqual(["recipients.erasejob.create", "recipients.erasejob.read"]);
    expect(diff.removed).toEqual(["a.read"]);
    expect(diff.kept).toEqual(["b.read"]);
    expect(diff.eraseJobAfter.both).toBe(true);
  });
});

describe("planScopeReset for a subuser: bounded by its parent", () => {
  const PARENT_LEGACY = PRE_CUTOFF_ADMIN; // no erase-job scopes
  const PARENT_MODERN = [...PRE_CUTOFF_ADMIN, ...ERASE_JOB_SCOPES];

  it("never gives a scope the parent lacks nor a parent-only family (the issue's 35 + 2)", () => {
    const plan = planScopeReset({ current: ["mail.send"], parentScopes: PARENT_LEGACY });
    expect(plan.after.filter((s) => /^(subusers|teammates|sso|billing)\./.test(s))).toEqual([]);
    expect(plan.after).not.toContain("recipients.erasejob.create");
    expect(plan.eraseJobAfter.both).toBe(false);
    expect(plan.withheldByParent).toEqual(expect.arrayContaining([...ERASE_JOB_SCOPES, "billing.read", "subusers.read", "teammates.read"]));
    const parent = new Set(PARENT_LEGACY);
    for (const s of plan.after) expect(parent.has(s) || isPlatformManagedScope(s), s).toBe(true);
  });

  it("grants the erase-job scopes when the parent has them, and removes what the subuser holds beyond its parent", () => {
    const plan = planScopeReset({
      current: ["mail.send", "billing.read", "design_library.read", "2fa_exempt"],
      parentScopes: PARENT_MODERN.filter((s) => !s.startsWith("design_library.")),
    });
    expect(plan.eraseJobAfter.both).toBe(true);
    expect(plan.removed).toEqual(["billing.read", "design_library.read"]);
    expect(plan.after).toContain("2fa_exempt"); // platform-managed: kept as it was
  });

  it("as a minimal reset adds the erase-job scopes the parent has and removes nothing", () => {
    const plan = planScopeReset({ current: ["mail.send", "legacy.x"], parentScopes: PARENT_MODERN, mode: "minimal" });
    expect(plan.mode).toBe("minimal");
    expect(plan.added).toEqual([...ERASE_JOB_SCOPES]);
    expect(plan.removed).toEqual([]);
    expect(planScopeReset({ current: ["mail.send"], parentScopes: PARENT_LEGACY, mode: "minimal" }).added).toEqual([]);
  });
});

describe("planScopeReset: minimal and spelling variants", () => {
  it("minimal: the erase-job scopes added, nothing removed", () => {
    const plan = planScopeReset({ current: [...PRE_CUTOFF_ADMIN, "email_activity.read", "legacy.x"], mode: "minimal" });
    expectNormalised(plan);
    expect(plan.added).toEqual([...ERASE_JOB_SCOPES]);
    expect(plan.removed).toEqual([]);
  });

  it("keeps the account's own spelling of a default scope instead of swapping it (the issue's plural di scope)", () => {
    const plural = PRE_CUTOFF_ADMIN.map((s) => (s === "di.bounce_block_classification.read" ? "di.bounce_block_classifications.read" : s));
    expect(plural).toContain("di.bounce_block_classifications.read");
    const plan = planScopeReset({ current: plural });
    expect(plan.removed).toEqual([]);
    expect(plan.added).toEqual([...ERASE_JOB_SCOPES]);
    expect(plan.after).toContain("di.bounce_block_classifications.read");
    expect(plan.after).not.toContain("di.bounce_block_classification.read");
  });

  it("offers the minimal plan only where the default removes something and the minimal adds something", () => {
    const legacy = [...PRE_CUTOFF_ADMIN, "email_activity.read"];
    expect(offersMinimalPlan(planScopeReset({ current: legacy }), planScopeReset({ current: legacy, mode: "minimal" }))).toBe(true);
    expect(
      offersMinimalPlan(planScopeReset({ current: PRE_CUTOFF_ADMIN }), planScopeReset({ current: PRE_CUTOFF_ADMIN, mode: "minimal" })),
    ).toBe(false);
    const done = [...legacy, ...ERASE_JOB_SCOPES];
    expect(offersMinimalPlan(planScopeReset({ current: done }), planScopeReset({ current: done, mode: "minimal" }))).toBe(false);
  });
});
