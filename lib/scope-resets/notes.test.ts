import { describe, expect, it } from "vitest";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, eraseJobScopesOf, isPlatformManagedScope, normalizeScopes } from "@/lib/scopes/catalog";
import {
  NO_IMPACT,
  renderAdminNote,
  renderAfterNote,
  renderBeforeNote,
  renderFamilyAfterNote,
  renderFamilyBeforeNote,
  type FamilyNoteInput,
  type ResetImpact,
  type ResetNoteInput,
} from "./notes";
import { eraseJobVerdict } from "@/lib/accounts/cutoff";
import { planScopeReset, type ScopeResetPlan } from "./plan";
import { NOTE_MAX_CHARS } from "./text-parts";

/** A hand-made plan small enough to spell out the exact text (real plans have ~200 scopes). */
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
  resultUrl: "https://console.example/scope-resets/0b8f0d2e-8c1e-4a52-9a55-5d1a3c7f9e10",
};

const HEADER =
  "Ticket https://scopedesk.zendesk.com/agent/tickets/98765 · recorded by Dana Agent (dana@scopedesk.example) at 2024-03-05 09:15:30 UTC";
const RESULT = "Result page: https://console.example/scope-resets/0b8f0d2e-8c1e-4a52-9a55-5d1a3c7f9e10";

function expectClean(text: string): void {
  for (const line of text.split("\n")) expect(line).toBe(line.trimEnd());
  expect(text.endsWith("\n")).toBe(false);
}

/** Markdown would read these differently from the text (bullets, headings, tags): no line of a note starts with one. */
function expectNoMarkdownLineStarts(text: string): void {
  for (const line of text.split("\n")) expect(line).not.toMatch(/^\s*([-+*#>]|\d+[.)])\s/);
  expect(text).not.toMatch(/<[^>\s]+@[^>\s]+>/);
}

const IMPACT: ResetImpact = {
  ...NO_IMPACT,
  // The verdict's own text, written before the reset in the present tense.
  anomaly: eraseJobVerdict({
    signedUpAt: new Date("2024-05-05T12:00:00Z"),
    scopes: ["mail.send"],
    cutoff: new Date("2024-01-01T00:00:00Z"),
  }).explanation,
  losses: [
    {
      keyId: "key_L1",
      keyName: "Legacy sender",
      accountId: 4217,
      accountUsername: "acme-mail",
      loses: ["email_activity.read", "mail.legacy_smtp_api.send"],
    },
    { keyId: "key_S1", keyName: "EU sender", accountId: 4218, accountUsername: "acme-mail-eu", loses: ["email_activity.read"] },
  ],
  keysLackingEraseJob: [
    { keyId: "key_L1", keyName: "Legacy sender", accountId: 4217, accountUsername: "acme-mail", missing: [...ERASE_JOB_SCOPES] },
  ],
  subusersLackingEraseJob: [{ id: 4218, username: "acme-mail-eu", missing: [...ERASE_JOB_SCOPES] }],
};

const AFTER_ANOMALY =
  "ANOMALY: Signed up 2024-05-05 12:00 UTC, on or after the 2024-01-01 00:00 UTC cutoff, so these scopes are enabled by default. " +
  "Yet before this reset it lacked recipients.erasejob.create and recipients.erasejob.read, which was unexpected for this signup date. " +
  "The reset added them: it holds both now (verified).";

/** What the verdict said before the reset and is untrue once it is done: no note says it after the reset. */
function expectNoStaleAnomaly(text: string): void {
  expect(text).not.toMatch(/The account lacks|reset its scopes to add them|mention the anomaly/);
}

describe("renderBeforeNote", () => {
  it("renders the exact text: the summary first, then the scopes grouped by catalog group", () => {
    expect(renderBeforeNote(INPUT)).toBe(
      [
        "Scopes BEFORE reset — acme-mail (#4217)",
        HEADER,
        "",
        "Summary: 4 scopes before the reset. Erase-job scopes: recipients.erasejob.create MISSING, recipients.erasejob.read MISSING.",
        "",
        "Scopes before, by catalog group (4):",
        "Alerts (1): alerts.read",
        "Mail Send (1): mail.send",
        "Automatic requirements (2FA, sender verification, signup) (1): 2fa_required",
        "Not in the catalog (1): legacy.thing",
        "",
        RESULT,
      ].join("\n"),
    );
  });

  it("says (none) and uses the singular where it should, and mentions the anomaly and the parent", () => {
    expect(renderBeforeNote({ ...INPUT, plan: smallPlan([], ["mail.send"]) })).toContain("Summary: 0 scopes before the reset.");
    expect(renderBeforeNote({ ...INPUT, plan: smallPlan([], ["mail.send"]) })).toContain("by catalog group (0):\n(none)\n");
    expect(renderBeforeNote({ ...INPUT, plan: smallPlan(["mail.send"], ["mail.send"]) })).toContain("Summary: 1 scope before the reset.");
    const text = renderBeforeNote({ ...INPUT, impact: { ...IMPACT, parent: { id: 1, username: "acme" } } });
    expect(text.split("\n").slice(4, 6)).toEqual([
      "Subuser of acme (#1).",
      "ANOMALY: Signed up 2024-05-05 12:00 UTC, on or after the 2024-01-01 00:00 UTC cutoff, so these scopes are enabled by default. " +
        "Yet before this reset it lacked recipients.erasejob.create and recipients.erasejob.read, which was unexpected for this signup date.",
    ]);
    expect(renderBeforeNote(INPUT)).not.toContain("ANOMALY");
  });
});

describe("renderAfterNote", () => {
  it("renders the exact text: what changed and what it means first, then every scope after", () => {
    expect(renderAfterNote(INPUT)).toBe(
      [
        "Scopes AFTER reset — acme-mail (#4217)",
        HEADER,
        "",
        "Summary: 4 scopes before, 5 after: 2 added, 1 removed. Erase-job scopes recipients.erasejob.create and recipients.erasejob.read verified present.",
        "Kind: default scope set of catalog seed003-4792643ad264.",
        "Existing API keys that lost scopes in the reset: none.",
        "Existing API keys without the erase-job scopes: none.",
        "",
        "Added (2): recipients.erasejob.create, recipients.erasejob.read",
        "Removed (1): legacy.thing",
        "Platform-managed scopes kept as they were (1): 2fa_required",
        "",
        "Scopes after, by catalog group (5):",
        "Alerts (1): alerts.read",
        "Mail Send (1): mail.send",
        "Automatic requirements (2FA, sender verification, signup) (1): 2fa_required",
        "Recipients' data erasure (2): recipients.erasejob.create, recipients.erasejob.read",
        "",
        RESULT,
      ].join("\n"),
    );
  });

  it("names every consequence for keys and subusers, the anomaly and the reason, in the summary", () => {
    const text = renderAfterNote({ ...INPUT, impact: IMPACT, reason: "Customer asked twice.\nApproved by Sam." });
    const summary = text.slice(0, text.indexOf("\n\nAdded ("));
    expect(summary).toContain(
      [
        AFTER_ANOMALY,
        "Reason: Customer asked twice.",
        "Approved by Sam.",
        "Existing API keys that lost scopes in the reset: 2, acknowledged by Dana Agent before the reset:",
        "Legacy sender (key key_L1) lost email_activity.read, mail.legacy_smtp_api.send",
        "EU sender (key key_S1) of acme-mail-eu (#4218) lost email_activity.read",
        "Existing API keys without the erase-job scopes: 1. A key keeps the scopes it was created with, so the customer needs a new key:",
        "Legacy sender (key key_L1)",
        "Subusers still without the erase-job scopes (1): erase requests on-behalf-of them are refused until each is reset: acme-mail-eu (#4218).",
      ].join("\n"),
    );
    expectClean(text);
    expectNoMarkdownLineStarts(text);
  });

  it("shows the verified state, not an assumed one, and the kind of reset", () => {
    const text = renderAfterNote({ ...INPUT, plan: smallPlan(["mail.send"], ["mail.send", "recipients.erasejob.read"]) });
    expect(text).toContain("Erase-job scopes NOT all present: recipients.erasejob.create MISSING, recipients.erasejob.read present.");
    expect(renderAfterNote({ ...INPUT, plan: { ...PLAN, mode: "minimal" } })).toContain(
      "Kind: minimal reset (the erase-job scopes added, nothing removed), catalog seed003-4792643ad264.",
    );
  });

  it("in a family reset, says which subusers the same confirmation resets next instead of calling them left behind", () => {
    const text = renderAfterNote({ ...INPUT, impact: IMPACT, familyNext: [{ id: 4218, username: "acme-mail-eu" }] });
    expect(text).toContain("Subusers this family reset resets next (1; the family's notes say how each went): acme-mail-eu (#4218).");
    expect(text).not.toContain("Subusers still without");
  });
});

describe("renderAdminNote", () => {
  const PARAGRAPH =
    "Scopes reset by Dana Agent at 2024-03-05 09:15:30 UTC for ticket https://scopedesk.zendesk.com/agent/tickets/98765 " +
    "(default scope set: catalog seed003-4792643ad264). 4 scopes before, 5 after: 2 added, 1 removed. " +
    "Erase-job scopes (recipients.erasejob.create, recipients.erasejob.read) verified present. " +
    "Existing API keys keep their old scopes: the customer must create new API keys to use the new scopes.";

  it("renders the exact text, keeping the reason's lines but not its blank edges or trailing spaces", () => {
    const text = renderAdminNote({ ...INPUT, reason: "\n  Customer needs GDPR erasure.  \r\nApproved by Sam.\t\n\n" });
    expect(text).toBe(
      [
        PARAGRAPH,
        "Reason: Customer needs GDPR erasure.",
        "Approved by Sam.",
        "Existing API keys that lost scopes in the reset: none.",
        "Existing API keys without the erase-job scopes: none.",
        "",
        "Added (2): recipients.erasejob.create, recipients.erasejob.read",
        "Removed (1): legacy.thing",
        "",
        RESULT,
      ].join("\n"),
    );
    expectClean(text);
  });

  it("leaves the reason out when it is empty or blank, and names the parent bound", () => {
    for (const reason of [undefined, null, "", "  \n \t "]) expect(renderAdminNote({ ...INPUT, reason })).not.toContain("Reason:");
    const sub = renderAdminNote({
      ...INPUT,
      plan: { ...PLAN, withheldByParent: ["billing.read"] },
      impact: { ...IMPACT, parent: { id: 1, username: "acme" } },
    });
    expect(sub).toContain(
      "Subuser of acme (#1): its scopes are bounded by the parent's.\nNot given because the parent lacks them or only a parent may hold them (1): billing.read.",
    );
  });
});

describe("all notes", () => {
  it("are deterministic, use UTC, have no trailing spaces or newline and no Markdown line starts", () => {
    for (const fn of [renderBeforeNote, renderAfterNote, renderAdminNote]) {
      const text = fn({ ...INPUT, reason: "why ", impact: IMPACT });
      expect(fn({ ...INPUT, reason: "why ", impact: IMPACT })).toBe(text);
      expect(text).toContain("2024-03-05 09:15:30 UTC");
      expectClean(text);
      expectNoMarkdownLineStarts(text);
    }
  });

  it("cannot be given extra lines through the username, actor, key names or ticket url", () => {
    const forged: ResetNoteInput = {
      ...INPUT,
      account: { ...INPUT.account, username: "acme\nScopes AFTER reset — x" },
      actor: { name: "Dana\r\nRecorded by someone else", email: "d@x\n" },
      impact: { ...NO_IMPACT, keysLackingEraseJob: [{ ...IMPACT.keysLackingEraseJob[0]!, keyName: "k\u2028- injected" }] },
    };
    const text = renderAfterNote(forged);
    expect(text.split("\n").slice(0, 2)).toEqual([
      "Scopes AFTER reset — acme Scopes AFTER reset — x (#4217)",
      "Ticket https://scopedesk.zendesk.com/agent/tickets/98765 · recorded by Dana Recorded by someone else (d@x) at 2024-03-05 09:15:30 UTC",
    ]);
    expect(text).toContain("\nk - injected (key key_L1)\n");
  });

  it("list a real plan's scopes, every one, grouped, several to a line", () => {
    const plan = planScopeReset({ current: [...ADMIN_SCOPES.filter((s) => !isPlatformManagedScope(s)), "legacy.thing", "ui.provision"] });
    const text = renderAfterNote({ ...INPUT, plan });
    const list = text.slice(text.indexOf("Scopes after, by catalog group"), text.indexOf("\n\nResult page"));
    const listed = list
      .split("\n")
      .slice(1)
      .flatMap((line) => line.slice(line.indexOf("): ") + 3).split(", "));
    expect(normalizeScopes(listed)).toEqual(plan.after);
    // A real plan has about 200 scopes; grouped, they take a few dozen lines, not 200.
    expect(list.split("\n").length).toBeLessThan(45);
    expect(text).toContain("Removed (1): legacy.thing\nPlatform-managed scopes kept as they were (1): ui.provision\n");
  });
});

describe("bounded notes: 100 keys and 500 subusers", () => {
  const keys = Array.from({ length: 100 }, (_, i) => ({
    keyId: `key${String(i).padStart(19, "0")}`,
    keyName: `Production key number ${i} – full access`,
    accountId: 4217,
    accountUsername: "acme-mail",
  }));
  const subusers = Array.from({ length: 500 }, (_, i) => ({
    id: 5_000_000 + i,
    username: `acme-mail-subuser-${i}`,
    missing: [...ERASE_JOB_SCOPES],
  }));
  const big: ResetImpact = {
    ...IMPACT,
    losses: keys.map((k) => ({ ...k, loses: ["email_activity.read", "mail.legacy_smtp_api.send"] })),
    keysLackingEraseJob: keys.map((k) => ({ ...k, missing: [...ERASE_JOB_SCOPES] })),
    subusersLackingEraseJob: subusers,
  };
  const plan = planScopeReset({ current: [...ADMIN_SCOPES.filter((s) => !isPlatformManagedScope(s)), "legacy.thing"] });
  const input = { ...INPUT, plan, impact: big, reason: "r".repeat(2000) };

  it("stay within the bound, keep the summary and name the result page for the full lists", () => {
    for (const fn of [renderBeforeNote, renderAfterNote, renderAdminNote]) {
      const text = fn(input);
      expect(text.length).toBeLessThanOrEqual(NOTE_MAX_CHARS);
      expect(text).toContain("https://console.example/scope-resets/0b8f0d2e-8c1e-4a52-9a55-5d1a3c7f9e10");
      expectClean(text);
    }
    const after = renderAfterNote(input);
    expect(after).toContain("Existing API keys without the erase-job scopes: 100.");
    expect(after).toContain("and 90 more keys (all on the result page).");
    expect(after).toContain("Subusers still without the erase-job scopes (500)");
    expect(after).toContain("and 490 more (all on the result page).");
    // Every scope after the reset is still there: only the long lists were cut.
    for (const scope of plan.after) expect(after).toContain(scope);
  });
});

describe("a family reset's one note pair", () => {
  const parentPlan = planScopeReset({ current: ADMIN_SCOPES.filter((s) => !isPlatformManagedScope(s) && !s.startsWith("recipients.")) });
  const subPlan = planScopeReset({ current: ["mail.send", "alerts.read"], parentScopes: parentPlan.after });
  const family: FamilyNoteInput = {
    parent: { id: 100, username: "acme" },
    ticket: INPUT.ticket,
    actor: INPUT.actor,
    at: INPUT.at,
    catalogVersion: INPUT.catalogVersion,
    reason: null,
    members: [
      {
        account: { id: 100, username: "acme" },
        role: "parent",
        outcome: "succeeded",
        plan: parentPlan,
        impact: {
          ...NO_IMPACT,
          subusersLackingEraseJob: [101, 102, 103].map((id) => ({ id, username: `acme-${id}`, missing: [...ERASE_JOB_SCOPES] })),
        },
        failure: null,
      },
      {
        account: { id: 101, username: "acme-101" },
        role: "subuser",
        outcome: "succeeded",
        plan: subPlan,
        impact: { ...NO_IMPACT, parent: { id: 100, username: "acme" } },
        failure: null,
      },
      {
        account: { id: 102, username: "acme-102" },
        role: "subuser",
        outcome: "succeeded",
        plan: subPlan,
        impact: { ...NO_IMPACT, parent: { id: 100, username: "acme" } },
        failure: null,
      },
      {
        account: { id: 103, username: "acme-103" },
        role: "subuser",
        outcome: "failed",
        plan: null,
        impact: null,
        failure: "stale_preview: The account's scopes changed since you opened the preview.",
      },
    ],
    subusersStillLacking: [{ id: 103, username: "acme-103" }],
    resultUrl: "https://console.example/family-resets/f1",
  };

  it("note 2 says the subusers the same confirmation reset now have the scopes, and only the one that failed lacks them", () => {
    const text = renderFamilyAfterNote(family);
    expect(text.split("\n")[0]).toBe("Scopes AFTER family reset — acme (#100) and 3 subusers");
    expect(text).toContain("Summary: 3 accounts of 4 reset;");
    expect(text).toContain(
      `Subuser acme-101 (#101): reset, ${subPlan.before.length} → ${subPlan.after.length} scopes (+${subPlan.added.length} / −${subPlan.removed.length}), erase-job scopes verified present.`,
    );
    expect(text).toContain(
      "Subuser acme-103 (#103): FAILED, nothing changed (stale_preview: The account's scopes changed since you opened the preview.).",
    );
    expect(text).toContain(
      "Subusers still without the erase-job scopes (1): erase requests on-behalf-of them are refused until each is reset: acme-103 (#103).",
    );
    expect(text).not.toContain("acme-101 (#101): erase requests");
    expectClean(text);
    expectNoMarkdownLineStarts(text);
  });

  it("lists identical scope sets once, with every account holding them", () => {
    const before = renderFamilyBeforeNote(family);
    expect(before.split("\n")[0]).toBe("Scopes BEFORE family reset — acme (#100) and 3 subusers");
    expect(before).toContain("\nacme-101 (#101), acme-102 (#102): 2 scopes\nAlerts (1): alerts.read\nMail Send (1): mail.send\n");
    expect(before).toContain("Subuser acme-103 (#103): FAILED, nothing changed");
    const after = renderFamilyAfterNote(family);
    const lists = after.slice(after.indexOf("Scopes after, by catalog group"));
    expect(lists.match(/acme-101 \(#101\), acme-102 \(#102\): /g)).toHaveLength(1);
    expect(lists).toContain("\nacme-101 (#101), acme-102 (#102): 238 scopes\nAs acme (#100), without (35): billing.create, billing.delete");
    expect(after).toContain(`\nacme-101 (#101), acme-102 (#102): added ${subPlan.added.length} scopes (see the lists); removed none.\n`);
  });

  it("stays within the bound with 50 subusers of distinct scopes and keys everywhere", () => {
    const members = Array.from({ length: 50 }, (_, i) => {
      const plan = planScopeReset({ current: ADMIN_SCOPES.filter((_s, j) => j % 50 !== i), parentScopes: parentPlan.after });
      return {
        account: { id: 1000 + i, username: `acme-subuser-with-a-long-name-${i}` },
        role: "subuser" as const,
        outcome: "succeeded" as const,
        plan,
        impact: {
          ...NO_IMPACT,
          keysLackingEraseJob: Array.from({ length: 100 }, (_k, k) => ({
            keyId: `k${i}-${k}`,
            keyName: `key ${k}`,
            accountId: 1000 + i,
            accountUsername: `acme-subuser-with-a-long-name-${i}`,
            missing: [...ERASE_JOB_SCOPES],
          })),
        },
        failure: null,
      };
    });
    const input = {
      ...family,
      members: [family.members[0]!, ...members],
      subusersStillLacking: Array.from({ length: 450 }, (_, i) => ({ id: 9000 + i, username: `left-${i}` })),
    };
    for (const fn of [renderFamilyBeforeNote, renderFamilyAfterNote]) {
      const text = fn(input);
      expect(text.length).toBeLessThanOrEqual(NOTE_MAX_CHARS);
      expect(text).toContain("https://console.example/family-resets/f1");
      expectClean(text);
    }
  });
});

describe("after the reset: the past for what was, the present for what is now", () => {
  it("note 2 and the admin note say what the account lacked in the past and what it holds now", () => {
    for (const fn of [renderAfterNote, renderAdminNote]) {
      const text = fn({ ...INPUT, impact: IMPACT });
      expect(text).toContain(AFTER_ANOMALY);
      expectNoStaleAnomaly(text);
      // What the reset did to keys is told in the past.
      expect(text).toContain("Legacy sender (key key_L1) lost email_activity.read, mail.legacy_smtp_api.send");
      expect(text).not.toMatch(/ loses |that lose scopes/);
    }
    expectNoStaleAnomaly(renderBeforeNote({ ...INPUT, impact: IMPACT }));
  });

  it("says what the account still lacks when the reset could not add both", () => {
    const plan = smallPlan(["mail.send"], ["mail.send", "recipients.erasejob.read"]);
    const text = renderAfterNote({ ...INPUT, plan, impact: IMPACT });
    expect(text).toContain(
      "Yet before this reset it lacked recipients.erasejob.create and recipients.erasejob.read, which was unexpected for this signup date. " +
        "After the reset it still lacks recipients.erasejob.create.",
    );
    expect(text).not.toContain("holds both now");
  });

  it("the family's note 2 says it per account, in the past, and what each holds now", () => {
    const sub = planScopeReset({ current: ["mail.send"], parentScopes: null });
    const text = renderFamilyAfterNote({
      parent: { id: 100, username: "acme" },
      ticket: INPUT.ticket,
      actor: INPUT.actor,
      at: INPUT.at,
      catalogVersion: INPUT.catalogVersion,
      members: [{ account: { id: 100, username: "acme" }, role: "parent", outcome: "succeeded", plan: sub, impact: IMPACT, failure: null }],
      subusersStillLacking: [],
      resultUrl: INPUT.resultUrl,
    });
    expect(text).toContain(AFTER_ANOMALY.replace("ANOMALY:", "ANOMALY on acme (#100):"));
    expectNoStaleAnomaly(text);
  });
});
