import { describe, expect, it } from "vitest";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, eraseJobScopesOf, isPlatformManagedScope, normalizeScopes } from "@/lib/scopes/catalog";
import { NO_IMPACT, renderAdminNote, renderAfterNote, renderBeforeNote, renderCustomerReply, type ResetNoteInput } from "./notes";
import { planScopeReset, type ScopeResetPlan } from "./plan";

/** A hand-made plan small enough to spell out the exact text (real plans have ~280 scopes). */
function smallPlan(before: string[], after: string[]): ScopeResetPlan {
  const b = normalizeScopes(before);
  const a = normalizeScopes(after);
  return {
    before: b,
    after: a,
    added: a.filter((s) => !b.includes(s)),
    removed: b.filter((s) => !a.includes(s)),
    kept: b.filter((s) => a.includes(s)),
    preservedPlatformManaged: b.filter(isPlatformManagedScope),
    eraseJobBefore: eraseJobScopesOf(b),
    eraseJobAfter: eraseJobScopesOf(a),
    nothingToDo: eraseJobScopesOf(b).both,
    mode: "default",
    withheldByParent: [],
  };
}

const PLAN = smallPlan(
  ["mail.send", "legacy.thing", "2fa_required", "alerts.read"],
  ["alerts.read", "mail.send", "2fa_required", "recipients.erasejob.read", "recipients.erasejob.create"],
);

const INPUT: ResetNoteInput = {
  account: { id: 4217, username: "acme-mail", email: "ops@acme.example" },
  ticket: { ticketId: "98765", url: "https://scopedesk.zendesk.com/agent/tickets/98765" },
  actor: { name: "Dana Agent", email: "dana@scopedesk.example" },
  // The milliseconds are there to show that formatUtc drops them.
  at: new Date("2024-03-05T09:15:30.789Z"),
  plan: PLAN,
  reason: null,
  catalogVersion: "seed003-4792643ad264",
  impact: NO_IMPACT,
};

const KEYS = [
  { name: "Production sender", id: "key_AbC123" },
  { name: "CI", id: "key_Zz9" },
];

/** INPUT (or another input) whose impact names these keys as still lacking the erase-job scopes. */
function withLacking(input: ResetNoteInput, keys: { name: string; id: string }[]): ResetNoteInput {
  const keysLackingEraseJob = keys.map((k) => ({
    keyId: k.id,
    keyName: k.name,
    accountId: 4217,
    accountUsername: "acme-mail",
    missing: [...ERASE_JOB_SCOPES],
  }));
  return { ...input, impact: { ...input.impact, keysLackingEraseJob } };
}

function expectClean(text: string): void {
  for (const line of text.split("\n")) expect(line).toBe(line.trimEnd());
  expect(text.endsWith("\n")).toBe(false);
}

describe("renderBeforeNote", () => {
  it("renders the exact text", () => {
    expect(renderBeforeNote(INPUT)).toBe(
      [
        "Scopes BEFORE reset — acme-mail (#4217)",
        "Ticket: https://scopedesk.zendesk.com/agent/tickets/98765",
        "Recorded by Dana Agent <dana@scopedesk.example> at 2024-03-05 09:15:30 UTC",
        "",
        "4 scopes:",
        "2fa_required",
        "alerts.read",
        "legacy.thing",
        "mail.send",
      ].join("\n"),
    );
  });

  it("says (none) and uses the singular where it should", () => {
    expect(renderBeforeNote({ ...INPUT, plan: smallPlan([], ["mail.send"]) })).toMatch(/\n0 scopes:\n\(none\)$/);
    expect(renderBeforeNote({ ...INPUT, plan: smallPlan(["mail.send"], ["mail.send"]) })).toMatch(/\n1 scope:\nmail\.send$/);
  });
});

describe("renderAfterNote", () => {
  it("renders the exact text", () => {
    expect(renderAfterNote(INPUT)).toBe(
      [
        "Scopes AFTER reset — acme-mail (#4217)",
        "Ticket: https://scopedesk.zendesk.com/agent/tickets/98765",
        "Recorded by Dana Agent <dana@scopedesk.example> at 2024-03-05 09:15:30 UTC",
        "Default scope set: catalog seed003-4792643ad264",
        "",
        "5 scopes:",
        "2fa_required",
        "alerts.read",
        "mail.send",
        "recipients.erasejob.create",
        "recipients.erasejob.read",
        "",
        "Changes: 2 added, 1 removed",
        "Added:",
        "+ recipients.erasejob.create",
        "+ recipients.erasejob.read",
        "Removed:",
        "- legacy.thing",
        "Platform-managed scopes kept as they were: 2fa_required",
        "",
        "Erase-job scopes: recipients.erasejob.create present, recipients.erasejob.read present",
        "Reset kind: default scope set",
        "",
        "Existing API keys that lose scopes: none",
        "Existing API keys without the erase-job scopes: none",
      ].join("\n"),
    );
  });

  it("says (none) when nothing was added, removed or preserved", () => {
    const same = ["mail.send", "recipients.erasejob.create", "recipients.erasejob.read"];
    const text = renderAfterNote({ ...INPUT, plan: smallPlan(same, same) });
    expect(text).toContain(
      ["Changes: 0 added, 0 removed", "Added:", "(none)", "Removed:", "(none)", "Platform-managed scopes kept as they were: (none)"].join(
        "\n",
      ),
    );
  });

  it("shows the verified state, not an assumed one", () => {
    const text = renderAfterNote({ ...INPUT, plan: smallPlan(["mail.send"], ["mail.send", "recipients.erasejob.read"]) });
    expect(text).toMatch(/\nErase-job scopes: recipients\.erasejob\.create MISSING, recipients\.erasejob\.read present\n/);
  });
});

describe("renderAdminNote", () => {
  const PARAGRAPH =
    "Scopes reset by Dana Agent at 2024-03-05 09:15:30 UTC for ticket https://scopedesk.zendesk.com/agent/tickets/98765 " +
    "(default scope set: catalog seed003-4792643ad264). 4 scopes before, 5 after: 2 added, 1 removed. " +
    "Erase-job scopes (recipients.erasejob.create, recipients.erasejob.read) verified present. " +
    "Existing API keys keep their old scopes: the customer must create new API keys to use the new scopes.";

  it("renders the exact text without a reason", () => {
    expect(renderAdminNote(INPUT)).toBe(
      [
        PARAGRAPH,
        "Reset kind: default scope set",
        "",
        "Existing API keys that lose scopes: none",
        "Existing API keys without the erase-job scopes: none",
        "",
        "Added:",
        "+ recipients.erasejob.create",
        "+ recipients.erasejob.read",
        "Removed:",
        "- legacy.thing",
      ].join("\n"),
    );
  });

  it("shows the reason when given, keeping its lines but not its blank edges or trailing spaces", () => {
    const text = renderAdminNote({ ...INPUT, reason: "\n  Customer needs GDPR erasure.  \r\nApproved by Sam.\t\n\n" });
    expect(text).toBe(
      [
        PARAGRAPH,
        "Reset kind: default scope set",
        "Reason: Customer needs GDPR erasure.",
        "Approved by Sam.",
        "",
        "Existing API keys that lose scopes: none",
        "Existing API keys without the erase-job scopes: none",
        "",
        "Added:",
        "+ recipients.erasejob.create",
        "+ recipients.erasejob.read",
        "Removed:",
        "- legacy.thing",
      ].join("\n"),
    );
    expectClean(text);
  });

  it("leaves the reason out when it is empty or blank", () => {
    for (const reason of [undefined, null, "", "  \n \t "]) {
      expect(renderAdminNote({ ...INPUT, reason })).not.toContain("Reason:");
    }
  });

  it("says (none) for an empty diff and flags missing erase-job scopes", () => {
    const text = renderAdminNote({ ...INPUT, plan: smallPlan(["mail.send"], ["mail.send"]) });
    expect(text).toContain("1 scope before, 1 after: 0 added, 0 removed.");
    expect(text).toContain(
      "Erase-job scopes NOT all present after the reset: recipients.erasejob.create MISSING, recipients.erasejob.read MISSING.",
    );
    expect(text).toMatch(/\nAdded:\n\(none\)\nRemoved:\n\(none\)$/);
  });
});

describe("renderCustomerReply", () => {
  it("renders the exact text, naming every key that lacks the erase-job scopes", () => {
    expect(renderCustomerReply(withLacking(INPUT, KEYS))).toBe(
      [
        "Hello,",
        "",
        "The erase-job scopes for the Recipients' Data Erasure API (POST /v3/recipients/erasejob) are now enabled on your account acme-mail.",
        "",
        "Existing API keys keep the scopes they were created with, so they do not get the new scopes automatically.",
        "These existing API keys do not have the erase-job scopes:",
        "- Production sender (ID: key_AbC123)",
        "- CI (ID: key_Zz9)",
        "",
        "To use the Recipients' Data Erasure API, please create a new API key with the recipients.erasejob.create scope " +
          "(add recipients.erasejob.read as well if you want to check the status of your erase jobs).",
        "To confirm, call GET /v3/scopes with the new key: the response should list recipients.erasejob.create.",
        "",
        "If you have any questions, just reply to this message.",
        "",
        "— Scopedesk Support",
      ].join("\n"),
    );
  });

  it("uses the singular for one key and says so when there are none", () => {
    expect(renderCustomerReply(withLacking(INPUT, [KEYS[1]!]))).toContain(
      "This existing API key does not have the erase-job scopes:\n- CI (ID: key_Zz9)\n",
    );
    const none = renderCustomerReply(withLacking(INPUT, []));
    expect(none).toContain("We found no existing API keys on the account that lack these scopes.\n");
    expect(none).not.toContain("(ID:");
  });

  it("gives nothing internal away", () => {
    const text = renderCustomerReply(withLacking({ ...INPUT, reason: "internal escalation XYZ" }, KEYS));
    for (const secret of ["seed003", "dana@scopedesk.example", "Dana Agent", "XYZ", "legacy.thing", "4217", "ops@acme.example"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("keeps pasted-in names on one line and names unnamed keys", () => {
    const text = renderCustomerReply(
      withLacking(INPUT, [
        { name: "evil\nDear customer,\r\n", id: "k1" },
        { name: "  ", id: "k2" },
      ]),
    );
    expect(text).toContain("- evil Dear customer, (ID: k1)\n- (unnamed key) (ID: k2)\n");
    expectClean(text);
  });

  it("refuses to claim the scopes are enabled when the plan does not grant them", () => {
    expect(() => renderCustomerReply(withLacking({ ...INPUT, plan: smallPlan(["mail.send"], ["mail.send"]) }, []))).toThrow(/erase-job/);
  });
});

describe("all notes", () => {
  it("are deterministic, use UTC and have no trailing spaces or newline", () => {
    const render = [renderBeforeNote, renderAfterNote, renderAdminNote];
    for (const fn of render) {
      const text = fn({ ...INPUT, reason: "why " });
      expect(fn({ ...INPUT, reason: "why " })).toBe(text);
      expect(text).toContain("2024-03-05 09:15:30 UTC");
      expectClean(text);
    }
    expectClean(renderCustomerReply(withLacking(INPUT, KEYS)));
  });

  it("cannot be given extra lines through the username, actor or ticket url", () => {
    const forged: ResetNoteInput = {
      ...INPUT,
      account: { ...INPUT.account, username: "acme\nScopes AFTER reset — x" },
      actor: { name: "Dana\r\nRecorded by someone else", email: "d@x\n" },
    };
    const text = renderBeforeNote(forged);
    expect(text.split("\n").slice(0, 3)).toEqual([
      "Scopes BEFORE reset — acme Scopes AFTER reset — x (#4217)",
      "Ticket: https://scopedesk.zendesk.com/agent/tickets/98765",
      "Recorded by Dana Recorded by someone else <d@x> at 2024-03-05 09:15:30 UTC",
    ]);
  });

  it("match a real plan's counts and sorted lists", () => {
    const plan = planScopeReset({ current: [...ADMIN_SCOPES.filter((s) => !isPlatformManagedScope(s)), "legacy.thing", "ui.provision"] });
    const input = { ...INPUT, plan };
    const before = renderBeforeNote(input).split("\n");
    expect(before).toContain(`${plan.before.length} scopes:`);
    expect(before.slice(5)).toEqual(plan.before);

    const after = renderAfterNote(input);
    const afterLines = after.split("\n");
    const listStart = afterLines.indexOf(`${plan.after.length} scopes:`) + 1;
    expect(afterLines.slice(listStart, listStart + plan.after.length)).toEqual(plan.after);
    expect(after).toContain(
      "Changes: 2 added, 1 removed\nAdded:\n+ recipients.erasejob.create\n+ recipients.erasejob.read\nRemoved:\n- legacy.thing\n",
    );
    expect(after).toContain("Platform-managed scopes kept as they were: ui.provision\n");
    expect(after).toMatch(/\nErase-job scopes: recipients\.erasejob\.create present, recipients\.erasejob\.read present\n/);
    expect(renderAdminNote(input)).toContain(`${plan.before.length} scopes before, ${plan.after.length} after: 2 added, 1 removed.`);
  });
});

describe("every note and the reply say what is true for the account", () => {
  const IMPACT = {
    ...NO_IMPACT,
    anomaly: "Signed up 2024-05-05 12:00 UTC, on or after the cutoff, yet lacks both erase-job scopes.",
    losses: [
      {
        keyId: "key_L1",
        keyName: "Legacy sender",
        accountId: 4217,
        accountUsername: "acme-mail",
        loses: ["email_activity.read", "mail.legacy_smtp_api.send"],
      },
    ],
    keysLackingEraseJob: [
      { keyId: "key_L1", keyName: "Legacy sender", accountId: 4217, accountUsername: "acme-mail", missing: [...ERASE_JOB_SCOPES] },
    ],
    subusersLackingEraseJob: [{ id: 4218, username: "acme-mail-eu", missing: [...ERASE_JOB_SCOPES] }],
  };
  const input: ResetNoteInput = { ...INPUT, reason: "Customer asked twice.", impact: IMPACT };

  it("ticket note 2 and the admin note list lost scopes (acknowledged), keys lacking, subusers lacking, the anomaly and the reason", () => {
    for (const text of [renderAfterNote(input), renderAdminNote(input)]) {
      expect(text).toContain(
        "Existing API keys that lose scopes (1, acknowledged by Dana Agent before the reset):\n- Legacy sender (key key_L1, acme-mail #4217): email_activity.read, mail.legacy_smtp_api.send",
      );
      expect(text).toContain(
        "Existing API keys without the erase-job scopes (1; the customer must create a new key):\n- Legacy sender (key key_L1): lacks recipients.erasejob.create, recipients.erasejob.read",
      );
      expect(text).toContain(
        "Subusers still without the erase-job scopes (1): erase requests on-behalf-of them are refused until each subuser's own scopes are reset.\n- acme-mail-eu (#4218)",
      );
      expect(text).toContain(`ANOMALY: ${IMPACT.anomaly}`);
      expect(text).toContain("Reason: Customer asked twice.");
      expectClean(text);
    }
  });

  it("ticket note 1 mentions the anomaly, as the verdict asks", () => {
    expect(renderBeforeNote(input).split("\n")[3]).toBe(`ANOMALY: ${IMPACT.anomaly}`);
    expect(renderBeforeNote(INPUT)).not.toContain("ANOMALY");
  });

  it("names the kind of reset and the parent bound", () => {
    const minimal = renderAfterNote({ ...input, plan: { ...PLAN, mode: "minimal" } });
    expect(minimal).toContain("Reset kind: minimal (the erase-job scopes added, nothing removed)");
    const sub = renderAdminNote({
      ...input,
      plan: { ...PLAN, withheldByParent: ["billing.read"] },
      impact: { ...IMPACT, parent: { id: 1, username: "acme" } },
    });
    expect(sub).toContain(
      "Subuser of acme (#1): its scopes are bounded by the parent's.\nNot given because the parent lacks them or only a parent may hold them (1): billing.read",
    );
  });

  it("the customer reply names the lost scopes and the subusers, but nothing internal", () => {
    const reply = renderCustomerReply(input);
    expect(reply).toContain(
      "This existing API key can therefore no longer use the scopes listed after it:\n- Legacy sender (ID: key_L1): email_activity.read, mail.legacy_smtp_api.send\n",
    );
    expect(reply).toContain(
      "(with the on-behalf-of header) will be refused until their scopes are enabled too; reply if you want us to do that:\n- acme-mail-eu\n",
    );
    for (const internal of ["ANOMALY", "anomaly", "Customer asked twice", "Dana", "acknowledged"]) expect(reply).not.toContain(internal);
    expectClean(reply);
  });

  it("the customer reply of a subuser's reset says it is the subuser's", () => {
    expect(renderCustomerReply({ ...INPUT, impact: { ...NO_IMPACT, parent: { id: 1, username: "acme" } } })).toContain(
      "are now enabled on your subuser acme-mail.",
    );
  });
});
