import { describe, expect, it } from "vitest";
import {
  ADMIN_SCOPES,
  DEFAULT_ACCOUNT_SCOPES,
  ERASE_JOB_SCOPES,
  isPlatformManagedScope,
  normalizeScopes,
  scopesAfterReset,
} from "../scopes/catalog";
import { diffScopeSets, planScopeReset, type ScopeResetPlan } from "./plan";

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
  expect(plan.changesAnything).toBe(plan.added.length + plan.removed.length > 0);
}

describe("planScopeReset", () => {
  it("uses the catalog's reset rule", () => {
    expect(planScopeReset(PRE_CUTOFF_ADMIN).after).toEqual(scopesAfterReset(PRE_CUTOFF_ADMIN));
  });

  it("gives a pre-cutoff admin-like account exactly the two erase-job scopes", () => {
    const plan = planScopeReset(PRE_CUTOFF_ADMIN);
    expectConsistent(plan);
    expect(plan.added).toEqual([...ERASE_JOB_SCOPES]);
    expect(plan.removed).toEqual([]);
    expect(plan.kept).toEqual(plan.before);
    expect(plan.preservedPlatformManaged).toEqual(["2fa_required", "ui.signup_complete"]);
    expect(plan.eraseJobBefore).toEqual({ create: false, read: false, both: false, missing: [...ERASE_JOB_SCOPES] });
    expect(plan.eraseJobAfter).toEqual({ create: true, read: true, both: true, missing: [] });
    expect(plan.nothingToDo).toBe(false);
    expect(plan.changesAnything).toBe(true);
  });

  it("normalises its input (whitespace, duplicates, order)", () => {
    const plan = planScopeReset([" mail.send", "mail.send", "", "alerts.read\t", ...PRE_CUTOFF_ADMIN].reverse());
    expectConsistent(plan);
    expect(plan.before).toEqual(normalizeScopes(PRE_CUTOFF_ADMIN));
    expect(plan.added).toEqual([...ERASE_JOB_SCOPES]);
  });

  it("removes unknown and legacy scopes", () => {
    const plan = planScopeReset([...PRE_CUTOFF_ADMIN, "legacy.thing", "zzz.unknown", "mail.batch.legacy_x"]);
    expectConsistent(plan);
    expect(plan.removed).toEqual(["legacy.thing", "mail.batch.legacy_x", "zzz.unknown"]);
    expect(plan.added).toEqual([...ERASE_JOB_SCOPES]);
    expect(plan.after).not.toContain("legacy.thing");
  });

  it("does not add missing platform-managed scopes and keeps the present ones as they are", () => {
    const managedInDefaults = DEFAULT_ACCOUNT_SCOPES.filter(isPlatformManagedScope);
    expect(managedInDefaults.length).toBeGreaterThan(0); // otherwise this test proves nothing

    const none = planScopeReset(["mail.send"]);
    expect(none.after.filter(isPlatformManagedScope)).toEqual([]);
    expect(none.preservedPlatformManaged).toEqual([]);
    for (const s of managedInDefaults) expect(none.added).not.toContain(s);

    // Including platform-managed scopes outside the catalog (2fa_exempt, made-up ui.* / signup.*).
    const present = ["2fa_exempt", "sender_verification_legacy", "signup.some_future_flag", "ui.custom"];
    const plan = planScopeReset(["mail.send", ...present]);
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
      const first = planScopeReset(start);
      const second = planScopeReset(first.after);
      expectConsistent(second);
      expect(second.before).toEqual(first.after);
      expect(second.after).toEqual(first.after);
      expect(second.added).toEqual([]);
      expect(second.removed).toEqual([]);
      expect(second.kept).toEqual(first.after);
      expect(second.nothingToDo).toBe(true);
      expect(second.changesAnything).toBe(false);
    }
  });

  it("plans the full default set (minus platform-managed scopes) for an empty account", () => {
    const plan = planScopeReset([]);
    expectConsistent(plan);
    expect(plan.before).toEqual([]);
    expect(plan.after).toEqual(DEFAULT_UNMANAGED);
    expect(plan.added).toEqual(DEFAULT_UNMANAGED);
    expect(plan.removed).toEqual([]);
    expect(plan.kept).toEqual([]);
    expect(plan.preservedPlatformManaged).toEqual([]);
    expect(plan.eraseJobBefore.missing).toEqual([...ERASE_JOB_SCOPES]);
    expect(plan.nothingToDo).toBe(false);
    expect(plan.changesAnything).toBe(true);
  });

  it("adds the missing one when the account has only one erase-job scope", () => {
    const plan = planScopeReset([...PRE_CUTOFF_ADMIN, "recipients.erasejob.read"]);
    expectConsistent(plan);
    expect(plan.eraseJobBefore).toEqual({ create: false, read: true, both: false, missing: ["recipients.erasejob.create"] });
    expect(plan.added).toEqual(["recipients.erasejob.create"]);
    expect(plan.removed).toEqual([]);
    expect(plan.nothingToDo).toBe(false);
    expect(plan.changesAnything).toBe(true);
  });

  it("says nothing to do when both erase-job scopes are there, even if the reset would change other scopes", () => {
    const plan = planScopeReset(["mail.send", ...ERASE_JOB_SCOPES, "legacy.thing"]);
    expectConsistent(plan);
    expect(plan.nothingToDo).toBe(true);
    expect(plan.changesAnything).toBe(true);
    expect(plan.removed).toEqual(["legacy.thing"]);
  });

  it("accepts any iterable", () => {
    expect(planScopeReset(new Set(PRE_CUTOFF_ADMIN)).before).toEqual(normalizeScopes(PRE_CUTOFF_ADMIN));
  });
});

describe("diffScopeSets", () => {
  it("describes a stored before/after pair the same way the plan does", () => {
    const before = ["mail.send", "2fa_required", "alerts.read"];
    const plan = planScopeReset(before);
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
