import { describe, expect, it } from "vitest";
import { APPROVAL_RULES, approvalRules, approverRefusal, type ResetRisk } from "./policy";

const POLICY = { rules: APPROVAL_RULES, familyMaxAccounts: 5, recentResetDays: 30 };
const NOW = new Date("2026-12-04T12:00:00Z");
const QUIET: ResetRisk = { keyLosses: [], familyAccounts: null, anomalies: [], lastResets: [] };
const LOSS = { keyId: "k1", keyName: "Prod sender", accountUsername: "legacy-acme", loses: ["mail.send"] };

describe("approvalRules", () => {
  it("needs no approval for a reset that takes nothing from a key, on a plain account never reset", () => {
    expect(approvalRules(QUIET, POLICY, NOW)).toEqual([]);
    expect(approvalRules({ ...QUIET, lastResets: [{ id: 1, username: "a", at: new Date("2026-10-01T00:00:00Z") }] }, POLICY, NOW)).toEqual(
      [],
    );
  });

  it("fires for a key losing a scope it uses, and names the key and the scope", () => {
    const fired = approvalRules({ ...QUIET, keyLosses: [LOSS] }, POLICY, NOW);
    expect(fired).toEqual([
      { rule: "key_losses", message: "1 existing API key would lose scopes it uses: Prod sender of legacy-acme loses mail.send." },
    ]);
  });

  it("bounds the keys it names and says how many more", () => {
    const losses = Array.from({ length: 8 }, (_, i) => ({ ...LOSS, keyId: `k${i}`, keyName: `key ${i}` }));
    const [fired] = approvalRules({ ...QUIET, keyLosses: losses }, POLICY, NOW);
    expect(fired!.message).toMatch(
      /^8 existing API keys would lose scopes they use: key 0 .*key 4 of legacy-acme loses mail.send; 3 more keys\.$/,
    );
  });

  it("fires for a family above the limit, not at it", () => {
    expect(approvalRules({ ...QUIET, familyAccounts: 5 }, POLICY, NOW)).toEqual([]);
    expect(approvalRules({ ...QUIET, familyAccounts: 6 }, POLICY, NOW)).toEqual([
      { rule: "family_size", message: "The family reset changes 6 accounts, more than 5 at once." },
    ]);
    expect(approvalRules({ ...QUIET, familyAccounts: 3 }, { ...POLICY, familyMaxAccounts: 2 }, NOW)).toHaveLength(1);
  });

  it("fires for an anomaly with the verdict's explanation", () => {
    const fired = approvalRules(
      { ...QUIET, anomalies: [{ id: 7, username: "late", explanation: "Signed up after the cutoff\nyet lacks them." }] },
      POLICY,
      NOW,
    );
    expect(fired[0]).toMatchObject({
      rule: "anomaly",
      message: expect.stringContaining("late (#7): Signed up after the cutoff yet lacks them."),
    });
  });

  it("fires for a reset within the window, counting its first and last day", () => {
    const at = (iso: string) => [{ id: 9, username: "again", at: new Date(iso) }];
    expect(approvalRules({ ...QUIET, lastResets: at("2026-11-04T12:00:00Z") }, POLICY, NOW)).toEqual([
      { rule: "recent_reset", message: "Already reset within the last 30 days: again (#9) on 2026-11-04 (30 days ago)." },
    ]);
    expect(approvalRules({ ...QUIET, lastResets: at("2026-11-04T11:59:59Z") }, POLICY, NOW)).toEqual([]);
    expect(approvalRules({ ...QUIET, lastResets: at("2026-12-04T08:00:00Z") }, POLICY, NOW)[0]!.message).toContain("(today)");
    expect(
      approvalRules({ ...QUIET, lastResets: at("2026-12-03T08:00:00Z") }, { ...POLICY, recentResetDays: 2 }, NOW)[0]!.message,
    ).toContain("within the last 2 days: again (#9) on 2026-12-03 (yesterday)");
  });

  it("applies only the configured rules, in a fixed order", () => {
    const risky: ResetRisk = {
      keyLosses: [LOSS],
      familyAccounts: 9,
      anomalies: [{ id: 1, username: "x", explanation: "odd" }],
      lastResets: [{ id: 1, username: "x", at: NOW }],
    };
    expect(approvalRules(risky, POLICY, NOW).map((f) => f.rule)).toEqual(["key_losses", "family_size", "anomaly", "recent_reset"]);
    expect(approvalRules(risky, { ...POLICY, rules: ["anomaly"] }, NOW).map((f) => f.rule)).toEqual(["anomaly"]);
    expect(approvalRules(risky, { ...POLICY, rules: [] }, NOW)).toEqual([]);
  });
});

describe("approverRefusal", () => {
  const lead = { id: "lead-1", email: "Lead@Scopedesk.test", role: "lead" };
  const requester = { id: "agent-1", email: "agent@scopedesk.test" };
  const roles = ["lead", "admin"];

  it("lets a lead who is neither the requester nor the assignee decide", () => {
    expect(approverRefusal({ approver: lead, requester, assignee: { state: "none" }, approverRoles: roles })).toBeNull();
    expect(
      approverRefusal({ approver: lead, requester, assignee: { state: "unknown", reason: "not connected" }, approverRoles: roles }),
    ).toBeNull();
    const otherAssignee = { state: "known" as const, name: "Alex", email: "agent@scopedesk.test", staffId: "agent-1" };
    expect(approverRefusal({ approver: lead, requester, assignee: otherAssignee, approverRoles: roles })).toBeNull();
  });

  it("refuses the requester, by id or by e-mail in any case", () => {
    expect(
      approverRefusal({ approver: { ...lead, id: "agent-1" }, requester, assignee: { state: "none" }, approverRoles: roles }),
    ).toMatchObject({
      reason: "requester",
    });
    expect(
      approverRefusal({
        approver: lead,
        requester: { id: "someone", email: " lead@scopedesk.TEST" },
        assignee: { state: "none" },
        approverRoles: roles,
      }),
    ).toMatchObject({ reason: "requester" });
  });

  it("refuses the ticket's assignee when known, by staff id or by e-mail", () => {
    const byEmail = { state: "known" as const, name: "Lee", email: "lead@scopedesk.test", staffId: null };
    expect(approverRefusal({ approver: lead, requester, assignee: byEmail, approverRoles: roles })).toMatchObject({
      reason: "assignee",
      message: expect.stringContaining("assignee"),
    });
    const byId = { state: "known" as const, name: null, email: null, staffId: "lead-1" };
    expect(approverRefusal({ approver: lead, requester, assignee: byId, approverRoles: roles })).toMatchObject({ reason: "assignee" });
  });

  it("refuses a role that may not approve, and says which may", () => {
    expect(approverRefusal({ approver: { ...lead, role: "agent" }, requester, assignee: { state: "none" }, approverRoles: roles })).toEqual(
      {
        reason: "role",
        message: "Only lead or admin staff may decide an approval request; your role is agent.",
      },
    );
    expect(
      approverRefusal({ approver: { ...lead, role: "admin" }, requester, assignee: { state: "none" }, approverRoles: ["lead"] }),
    ).toMatchObject({
      reason: "role",
    });
  });
});
