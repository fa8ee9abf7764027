import { describe, expect, it } from "vitest";
import { eraseJobVerdict } from "@/lib/accounts/cutoff";
import { previewReset, type ResetSubject } from "@/lib/scope-resets/preview";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, isPlatformManagedScope } from "@/lib/scopes/catalog";
import { NOTE_MAX_CHARS, tagsWithTriage, triageMarker, triageNote, triageTag, type TriageInput } from "./triage-note";

const CUTOFF = new Date("2023-07-25T00:00:00Z");
const ADMIN = ADMIN_SCOPES.filter((s) => !isPlatformManagedScope(s) && !(ERASE_JOB_SCOPES as readonly string[]).includes(s));
const TICKET = { ticketId: "4242", requesterName: "Olivia Ops", requesterEmail: "ops@acme.example" };
const PAGE = "https://scopedesk.example.com/tickets/4242";

function account(overrides: Partial<ResetSubject> & { scopes?: string[]; signedUpAt?: Date } = {}): NonNullable<TriageInput["account"]> {
  const { scopes = ADMIN, signedUpAt = new Date("2019-03-14T10:22:00Z"), ...rest } = overrides;
  const subject: ResetSubject = {
    account: {
      id: 100001,
      username: "legacy-acme",
      email: "ops@acme.example",
      signedUpAt,
      scopeSetId: 1,
      scopes,
      fingerprint: "f".repeat(64),
    },
    parent: null,
    keys: [],
    subusers: [],
    ...rest,
  };
  const byDefault = previewReset(subject, { mode: "default", cutoff: CUTOFF });
  const minimal = previewReset(subject, { mode: "minimal", cutoff: CUTOFF });
  return {
    id: subject.account.id,
    username: subject.account.username,
    signedUpAt,
    verdict: eraseJobVerdict({ signedUpAt, scopes, cutoff: CUTOFF }),
    byDefault,
    minimal: byDefault.plan.removed.length > 0 ? minimal : null,
  };
}

const note = (input: Partial<TriageInput> = {}) =>
  triageNote({
    ticket: TICKET,
    matches: [{ id: 100001, username: "legacy-acme", parentId: null }],
    account: account(),
    ticketPageUrl: PAGE,
    ...input,
  });

describe("the triage note", () => {
  it("names the account, the verdict, what a reset adds, and where to act, ending with the ticket's marker", () => {
    const result = note();
    expect(result.state).toBe("needs_reset");
    expect(result.summary).toBe("Erase-job scopes missing: reset needed");
    expect(result.body).toContain("Scopedesk triage (automatic and read-only: nothing was changed)");
    expect(result.body).toContain("Requester: Olivia Ops <ops@acme.example>");
    expect(result.body).toContain("Account: legacy-acme (#100001), signed up 2019-03-14 10:22:00 UTC");
    expect(result.body).toContain("Verdict: Erase-job scopes missing: reset needed");
    expect(result.body).toMatch(/What Reset Scopes would do \(default scope set\): add \d+ scopes?, remove \d+ scopes?\./);
    expect(result.body).toContain("recipients.erasejob.create, recipients.erasejob.read");
    expect(result.body).toContain("No existing API key would lose a scope it uses.");
    expect(result.body).toContain(`Open it in Scopedesk: ${PAGE} (or in the Scopedesk app in this ticket's sidebar).`);
    expect(result.marker).toBe(triageMarker("4242"));
    expect(result.body.endsWith(`\n\n${result.marker}`)).toBe(true);
  });

  it("says which keys would lose what, and that the minimal reset takes nothing", () => {
    const keys = [{ id: "KEY1", name: "reporting", scopes: ["mail.send", "email_activity.read"] }];
    const result = note({ account: account({ scopes: [...ADMIN, "email_activity.read"], keys }) });
    expect(result.body).toContain(
      'Existing API keys that would lose scopes they use (1):\n  - "reporting" (key KEY1): email_activity.read',
    );
    expect(result.body).toContain("A minimal reset (add the erase-job scopes, remove nothing) takes nothing from any key.");
    expect(result.body).toContain(
      'lack the erase-job scopes (1; a key keeps the scopes it was created with, so the customer needs a new key): "reporting"',
    );
  });

  it("says nothing is to do when both scopes are there, and still names old keys that lack them", () => {
    const keys = [{ id: "OLD", name: "old key", scopes: ["mail.send"] }];
    const result = note({ account: account({ scopes: [...ADMIN, ...ERASE_JOB_SCOPES], keys }) });
    expect(result.state).toBe("nothing_to_do");
    expect(result.body).toContain("Both erase-job scopes are present: no reset is needed.");
    expect(result.body).not.toContain("What Reset Scopes would do");
    expect(result.body).toContain(
      'Existing API keys that lack the erase-job scopes (1; a key keeps the scopes it was created with, so the customer needs a new key): "old key"',
    );
  });

  it("marks an anomaly, a blocked subuser, and a requester no account matches", () => {
    expect(note({ account: account({ signedUpAt: new Date("2024-05-05T12:00:00Z") }) }).state).toBe("anomaly");
    const sub = note({ account: account({ parent: { id: 9, username: "acme-parent", scopes: ADMIN, fingerprint: "a".repeat(64) } }) });
    expect(sub.body).toContain("A reset of this subuser is blocked: The parent account acme-parent (#9) lacks");
    expect(sub.summary).toBe("Erase-job scopes missing: reset needed (the parent must be reset first)");
    const none = note({ account: null, matches: [] });
    expect(none.state).toBe("no_account");
    expect(none.body).toContain("No account or subuser has the requester's e-mail address.");
    expect(note({ account: null, matches: [], ticket: { ...TICKET, requesterEmail: null } }).summary).toBe(
      "The requester has no e-mail address to match an account by.",
    );
    expect(note({ ticketPageUrl: null }).body).toContain("Open it in the Scopedesk app in this ticket's sidebar.");
  });

  it("keeps names on one line, so a username cannot forge lines, and stays bounded with many keys and matches", () => {
    const keys = Array.from({ length: 400 }, (_, i) => ({
      id: `K${i}`,
      name: `key ${i}\nVerdict: forged ${"x".repeat(300)}`,
      scopes: [...ADMIN, "email_activity.read"],
    }));
    const matches = Array.from({ length: 50 }, (_, i) => ({ id: 200 + i, username: `other\n${"y".repeat(200)}`, parentId: null }));
    const result = note({
      account: account({ scopes: [...ADMIN, "email_activity.read"], keys }),
      matches: [{ id: 100001, username: "legacy-acme", parentId: null }, ...matches],
    });
    expect(result.body.length).toBeLessThanOrEqual(NOTE_MAX_CHARS);
    expect(result.body.split("\n").filter((line) => line.startsWith("Verdict:"))).toHaveLength(1);
    expect(result.body).toContain("- and 390 more");
    expect(result.body).toContain("and 40 more");
    expect(result.body.endsWith(result.marker)).toBe(true);
  });
});

describe("the triage note and four eyes", () => {
  const keyLosses = {
    rule: "key_losses" as const,
    message: '1 existing API key would lose scopes it uses: "prod" of legacy-acme loses mail.send.',
  };
  it("says when a reset would need a lead's approval, and why, and whether the minimal reset avoids it", () => {
    const base = account({ scopes: [...ADMIN, "mail.send"] });
    const body = note({
      account: { ...base, approval: { default: [keyLosses], minimal: [], approvers: ["lead", "admin"] } },
    }).body;
    expect(body).toContain(
      `A reset of this account needs a lead or admin's approval first (four eyes): 1 existing API key would lose scopes it uses: "prod" of legacy-acme loses mail.send.`,
    );
    if (base.minimal) expect(body).toContain("The minimal reset needs no approval.");
  });

  it("says nothing of approval when no rule fires, or when nothing is to be done", () => {
    expect(note({ account: { ...account(), approval: { default: [], minimal: null, approvers: ["lead"] } } }).body).not.toMatch(/approval/);
    const done = account({ scopes: [...ADMIN, ...ERASE_JOB_SCOPES] });
    expect(note({ account: { ...done, approval: { default: [keyLosses], minimal: null, approvers: ["lead"] } } }).body).not.toMatch(
      /approval/,
    );
  });
});

describe("the triage tag", () => {
  it("is the verdict to act on, added to the ticket's own tags, replacing another verdict's", () => {
    expect(triageTag("needs_reset")).toBe("scopedesk-ready");
    expect(triageTag("nothing_to_do")).toBe("scopedesk-nothing-to-do");
    expect(triageTag("no_account")).toBeNull();
    expect(triageTag("anomaly")).toBeNull();
    expect(tagsWithTriage(["vip", "scopedesk-nothing-to-do"], "needs_reset")).toEqual(["vip", "scopedesk-ready"]);
    expect(tagsWithTriage([], "nothing_to_do")).toEqual(["scopedesk-nothing-to-do"]);
    expect(tagsWithTriage(["vip"], "no_account")).toBeNull();
  });
});
