import { describe, expect, it } from "vitest";
import { NOTE_MAX_CHARS } from "@/lib/scope-resets/text-parts";
import { renderApprovalNote, type ApprovalNoteInput } from "./notes";

const INPUT: ApprovalNoteInput = {
  step: "requested",
  target: { kind: "reset", account: { id: 100012, username: "legacy-keys" }, subusers: 0 },
  requestedBy: { name: "Alex Agent", email: "agent@scopedesk.test" },
  actor: { name: "Alex Agent", email: "agent@scopedesk.test" },
  at: new Date("2026-12-04T10:00:00.123Z"),
  rules: [
    {
      rule: "key_losses",
      message: "1 existing API key would lose scopes it uses: Legacy sender of legacy-keys loses mail.legacy_smtp_api.send.",
    },
  ],
  reason: "The customer asked for the default set.\nThey know the legacy sender stops.",
  comment: null,
  plan: {
    mode: "default",
    added: 2,
    removed: 7,
    keyLosses: [{ keyId: "K1", keyName: "Legacy sender", accountUsername: "legacy-keys", loses: ["mail.legacy_smtp_api.send"] }],
  },
  expiresAt: new Date("2026-12-05T10:00:00Z"),
  executes: "requester",
  url: "http://console.test/approvals/a1",
};

describe("renderApprovalNote", () => {
  it("says who asked, why it needs approval, the plan and until when, summary first", () => {
    expect(renderApprovalNote(INPUT)).toBe(
      [
        "Reset of legacy-keys (#100012) requested by Alex Agent: needs approval because 1 existing API key would lose scopes it uses: Legacy sender of legacy-keys loses mail.legacy_smtp_api.send.",
        "Ticket note by Scopedesk at 2026-12-04 10:00:00 UTC · requested by Alex Agent (agent@scopedesk.test)",
        "",
        "Reason given: The customer asked for the default set.",
        "They know the legacy sender stops.",
        "Plan (default scope set): adds 2, removes 7.",
        "Existing API keys that would lose scopes (1):",
        "Legacy sender (key K1) of legacy-keys loses mail.legacy_smtp_api.send",
        "Waiting for a second staff member's approval until 2026-12-05 10:00:00 UTC.",
        "",
        "Approval page: http://console.test/approvals/a1",
      ].join("\n"),
    );
  });

  it("names the approver, the comment and who carries it out next", () => {
    const text = renderApprovalNote({
      ...INPUT,
      step: "approved",
      actor: { name: "Lee Lead", email: "lead@scopedesk.test" },
      comment: "Fine, confirmed by phone.",
    });
    expect(text.split("\n")[0]).toBe("Reset of legacy-keys (#100012) approved by Lee Lead.");
    expect(text).toContain("· approved by Lee Lead (lead@scopedesk.test)");
    expect(text).toContain("Needed approval because: 1 existing API key would lose");
    expect(text).toContain("Approver's comment: Fine, confirmed by phone.");
    expect(text).toContain("Alex Agent may now carry it out, until 2026-12-05 10:00:00 UTC");
    expect(renderApprovalNote({ ...INPUT, step: "approved", executes: "approver" })).toContain("Carried out at once by the approval");
  });

  it("says nothing was changed when denied, cancelled or expired, and why", () => {
    const lead = { name: "Lee Lead", email: "lead@scopedesk.test" };
    expect(renderApprovalNote({ ...INPUT, step: "denied", actor: lead, comment: "Ask the customer first." })).toMatch(
      /^Reset of legacy-keys \(#100012\) denied by Lee Lead\. Nothing was changed\.[\s\S]*Why denied: Ask the customer first\./,
    );
    expect(renderApprovalNote({ ...INPUT, step: "cancelled" }).split("\n")[0]).toBe(
      "Reset of legacy-keys (#100012): the request was cancelled by Alex Agent. Nothing was changed.",
    );
    expect(renderApprovalNote({ ...INPUT, step: "expired", actor: null }).split("\n")[0]).toBe(
      "Reset of legacy-keys (#100012): the approval request expired at 2026-12-05 10:00:00 UTC before the reset was carried out. Nothing was changed.",
    );
  });

  it("lists what changed when the approval is void", () => {
    const text = renderApprovalNote({
      ...INPUT,
      step: "voided",
      actor: null,
      changes: [{ subject: "key", text: "Key 'Prod sender' (K2) now has mail.send removed." }],
    });
    expect(text).toContain("the approval is void because the account changed since it was requested");
    expect(text).toContain("What changed since the request:\nKey 'Prod sender' (K2) now has mail.send removed.");
  });

  it("names a family and stays within a note's bound however many keys and changes", () => {
    const keyLosses = Array.from({ length: 500 }, (_, i) => ({
      keyId: `K${i}`,
      keyName: `key ${"x".repeat(80)} ${i}`,
      accountUsername: "sub",
      loses: ["mail.send"],
    }));
    const changes = Array.from({ length: 500 }, (_, i) => ({ subject: "key" as const, text: `Key ${i} ${"y".repeat(100)} changed.` }));
    const text = renderApprovalNote({
      ...INPUT,
      step: "voided",
      target: { kind: "family", account: { id: 1, username: "top" }, subusers: 12 },
      plan: { ...INPUT.plan, keyLosses },
      changes,
    });
    expect(text.startsWith("Family reset of top (#1) and 12 subusers: the approval is void")).toBe(true);
    expect(text.length).toBeLessThanOrEqual(NOTE_MAX_CHARS);
    expect(text).toContain("and 490 more keys (all on the approval page).");
    expect(text).toContain("and 490 more changes (all on the approval page).");
  });

  it("keeps a reason's forged lines from looking like Scopedesk's own", () => {
    const text = renderApprovalNote({ ...INPUT, requestedBy: { name: "Eve\nApproved by Lee Lead", email: "e@x" } });
    expect(text.split("\n")[0]).toContain("requested by Eve Approved by Lee Lead:");
  });
});
