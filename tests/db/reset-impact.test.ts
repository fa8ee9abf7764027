import { createHash, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { describeFamilyReset } from "@/lib/scope-resets/describe-reset-options";
import { getFamilyReset } from "@/lib/scope-resets/get-family-reset";
import { loadResetSubject } from "@/lib/scope-resets/load-reset-subject";
import { performFamilyReset } from "@/lib/scope-resets/perform-family-reset";
import { performScopeReset } from "@/lib/scope-resets/perform-scope-reset";
import { familyResetRequestSchema, scopeResetRequestSchema } from "@/lib/scope-resets/request";
import { ERASE_JOB_SCOPES, isParentOnlyScope, isPlatformManagedScope } from "@/lib/scopes/catalog";
import { scopeSetFingerprint } from "@/lib/scopes/fingerprint";
import { getAccountDetail } from "@/lib/accounts/get-account-detail";
import { getDb } from "@/lib/platform/db";
import { getScopeResetView } from "@/lib/scope-resets/get-scope-reset";
import {
  createAccount,
  createApiKey,
  createStaff,
  noApprovalRules,
  POST_CUTOFF_SCOPES,
  PRE_CUTOFF_SCOPES,
  requestMeta,
} from "../support/factories";

/**
 * Reset Scopes never hurts the customer (issue 11, decision 010): what the
 * transaction does for subusers, existing keys and the truth in every note.
 */
const HELPDESK = { baseUrl: "https://scopedesk.zendesk.com", allowedSubdomains: [] };
const single = scopeResetRequestSchema(HELPDESK);
const family = familyResetRequestSchema(HELPDESK);
const LEGACY_WITH_OLD_SCOPES = [...PRE_CUTOFF_SCOPES, "email_activity.read", "mail.legacy_smtp_api.send"];
const LEGACY_SENDER = ["mail.send", "email_activity.read", "mail.legacy_smtp_api.send"];

async function staffSession() {
  const s = await createStaff("agent");
  return { id: s.id, email: s.email, name: s.name, role: s.role };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
/** Who reads a view: the reply is drafted for (and signed by) them. */
const VIEWER = { name: "Viewing Agent" };

async function confirm(accountId: number, overrides: Record<string, unknown> = {}) {
  const detail = await getAccountDetail(accountId);
  return single.parse({
    ticket: "#5151",
    idempotencyKey: randomUUID(),
    expectedFingerprint: detail.resetPlan.previewFingerprint,
    ...overrides,
  });
}

async function attempts(accountId: number) {
  return getDb().scopeReset.findMany({
    where: { accountId },
    orderBy: { createdAt: "asc" },
    select: { outcome: true, failureReason: true, mode: true, impact: true },
  });
}

describe("a subuser never holds more than its parent", () => {
  it("refuses a subuser's reset while the parent lacks the erase-job scopes, changes nothing and records why", async () => {
    const parent = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const sub = await createAccount({ scopes: PRE_CUTOFF_SCOPES.filter((s) => !isParentOnlyScope(s)), parentId: parent.id });
    const detail = await getAccountDetail(sub.id);
    expect(detail.resetPlan.blocked).toMatchObject({ code: "parent_lacks_scopes", parent: { id: parent.id } });
    await expect(
      performScopeReset({ accountId: sub.id, request: await confirm(sub.id), staff: await staffSession(), meta: requestMeta() }),
    ).rejects.toMatchObject({
      code: "parent_lacks_scopes",
      message: expect.stringMatching(/Reset the parent first/),
    });
    const [attempt] = await attempts(sub.id);
    expect(attempt).toMatchObject({ outcome: "failed", failureReason: expect.stringMatching(/^parent_lacks_scopes:/) });
    expect((await getDb().account.findUniqueOrThrow({ where: { id: sub.id } })).scopeSetId).toBe(sub.scopeSetId);
  });

  it("gives a subuser of a modern parent nothing beyond its parent, and no parent-only family", async () => {
    const parentScopes = POST_CUTOFF_SCOPES.filter((s) => !s.startsWith("ips."));
    const parent = await createAccount({ scopes: parentScopes });
    const sub = await createAccount({ scopes: ["mail.send", "ips.read"], parentId: parent.id });
    const { resetId } = await performScopeReset({
      accountId: sub.id,
      request: await confirm(sub.id),
      staff: await staffSession(),
      meta: requestMeta(),
    });
    const view = await getScopeResetView(resetId, VIEWER);
    const parentSet = new Set(parentScopes);
    for (const s of view.after!) {
      expect(isParentOnlyScope(s), s).toBe(false);
      expect(parentSet.has(s) || isPlatformManagedScope(s), s).toBe(true);
    }
    expect(view.after).toEqual(expect.arrayContaining([...ERASE_JOB_SCOPES]));
    expect(view.removed).toContain("ips.read");
    expect(view.notes.after?.body).toContain(`Subuser of ${parent.username} (#${parent.id}): its scopes are bounded by the parent's.`);
    expect(view.reply?.draft?.text).toContain(`enabled on your subuser ${sub.username}`);
  });

  it("refuses a subuser's confirmation when the parent's scopes changed since the preview", async () => {
    const parent = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const sub = await createAccount({ scopes: ["mail.send"], parentId: parent.id });
    const request = await confirm(sub.id);
    const { ensureScopeSet } = await import("@/lib/scopes/ensure-scope-set");
    const changed = await ensureScopeSet(getDb(), [...POST_CUTOFF_SCOPES, "legacy.extra"]);
    await getDb().account.update({ where: { id: parent.id }, data: { scopeSetId: changed.id } });
    await expect(performScopeReset({ accountId: sub.id, request, staff: await staffSession(), meta: requestMeta() })).rejects.toMatchObject(
      { code: "stale_preview" },
    );
  });
});

describe("no existing key silently loses what it uses", () => {
  it("refuses the reset until the exact key losses are acknowledged, then records and tells them", async () => {
    const account = await createAccount({ scopes: LEGACY_WITH_OLD_SCOPES });
    const key = await createApiKey(account.id, { name: "Legacy sender", scopes: LEGACY_SENDER });
    const detail = await getAccountDetail(account.id);
    const losses = detail.resetPlan.default.keyImpact.losses;
    expect(losses).toEqual([
      {
        keyId: key.id,
        keyName: "Legacy sender",
        accountId: account.id,
        accountUsername: account.username,
        loses: ["email_activity.read", "mail.legacy_smtp_api.send"],
      },
    ]);
    expect(detail.resetPlan.minimal).toMatchObject({
      added: [...ERASE_JOB_SCOPES],
      removed: [],
      keyImpact: { losses: [], fingerprint: null },
    });
    const staff = await staffSession();

    for (const acknowledgedKeyImpact of [undefined, "0".repeat(64)]) {
      await expect(
        performScopeReset({
          accountId: account.id,
          request: await confirm(account.id, { acknowledgedKeyImpact }),
          staff,
          meta: requestMeta(),
        }),
      ).rejects.toMatchObject({
        code: "key_impact_unacknowledged",
        details: { keyImpact: { fingerprint: detail.resetPlan.default.keyImpact.fingerprint, losses } },
      });
    }
    expect((await getDb().account.findUniqueOrThrow({ where: { id: account.id } })).scopeSetId).toBe(account.scopeSetId);

    const request = await confirm(account.id, { acknowledgedKeyImpact: detail.resetPlan.default.keyImpact.fingerprint });
    // What the notes say once the losses are acknowledged; whether it needed approval first is tests/db/approvals.test.ts's.
    const { resetId } = await performScopeReset({ accountId: account.id, request, staff, meta: requestMeta(), policy: noApprovalRules() });
    const view = await getScopeResetView(resetId, VIEWER);
    expect(view.impact?.losses).toEqual(losses);
    for (const note of [view.notes.after!.body, view.notes.admin!.body]) {
      expect(note).toContain(`Existing API keys that lost scopes in the reset: 1, acknowledged by ${staff.name} before the reset:`);
      expect(note).toContain(`\nLegacy sender (key ${key.id}) lost email_activity.read, mail.legacy_smtp_api.send\n`);
    }
    expect(view.reply?.draft?.text).toContain(`- Legacy sender (ID: ${key.id}): email_activity.read, mail.legacy_smtp_api.send`);
    const event = await getDb().auditEvent.findFirstOrThrow({
      where: { action: "scope_reset.succeeded", targetId: String(account.id) },
      select: { details: true },
    });
    expect(event.details).toMatchObject({
      keyLossesAcknowledged: [{ keyId: key.id, loses: ["email_activity.read", "mail.legacy_smtp_api.send"] }],
    });
  });

  it("refuses an acknowledgement once a new key would lose scopes too (a key created after the preview)", async () => {
    const account = await createAccount({ scopes: LEGACY_WITH_OLD_SCOPES });
    await createApiKey(account.id, { scopes: LEGACY_SENDER });
    const detail = await getAccountDetail(account.id);
    await createApiKey(account.id, { scopes: ["email_activity.read"] });
    const request = await confirm(account.id, { acknowledgedKeyImpact: detail.resetPlan.default.keyImpact.fingerprint });
    await expect(
      performScopeReset({ accountId: account.id, request, staff: await staffSession(), meta: requestMeta() }),
    ).rejects.toMatchObject({
      code: "key_impact_unacknowledged",
      details: { keyImpact: { losses: expect.arrayContaining([expect.objectContaining({ loses: ["email_activity.read"] })]) } },
    });
  });

  it("offers the minimal reset, recorded as its own kind: adds the erase-job scopes, removes nothing, no acknowledgement needed", async () => {
    const account = await createAccount({ scopes: LEGACY_WITH_OLD_SCOPES });
    await createApiKey(account.id, { scopes: LEGACY_SENDER });
    const { resetId } = await performScopeReset({
      accountId: account.id,
      request: await confirm(account.id, { mode: "minimal" }),
      staff: await staffSession(),
      meta: requestMeta(),
    });
    const view = await getScopeResetView(resetId, VIEWER);
    expect(view).toMatchObject({ mode: "minimal", added: [...ERASE_JOB_SCOPES], removed: [] });
    expect(view.notes.after?.body).toContain("Kind: minimal reset (the erase-job scopes added, nothing removed)");
    expect((await attempts(account.id))[0]).toMatchObject({ outcome: "succeeded", mode: "minimal" });
  });

  it("keeps the catalog group's plural spelling of a default scope: no key loses it", async () => {
    const plural = PRE_CUTOFF_SCOPES.map((s) => (s === "di.bounce_block_classification.read" ? "di.bounce_block_classifications.read" : s));
    const account = await createAccount({ scopes: plural });
    await createApiKey(account.id, { scopes: ["mail.send", "di.bounce_block_classifications.read"] });
    const detail = await getAccountDetail(account.id);
    expect(detail.resetPlan.default).toMatchObject({ removed: [], keyImpact: { losses: [] } });
    const { resetId } = await performScopeReset({
      accountId: account.id,
      request: await confirm(account.id),
      staff: await staffSession(),
      meta: requestMeta(),
    });
    expect((await getScopeResetView(resetId, VIEWER)).after).toContain("di.bounce_block_classifications.read");
  });
});

describe("every note tells the truth for the account", () => {
  it("a parent's reset names its subusers still without the scopes, and what that means for on-behalf-of", async () => {
    const parent = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const sub = await createAccount({ scopes: ["mail.send"], parentId: parent.id });
    const { resetId } = await performScopeReset({
      accountId: parent.id,
      request: await confirm(parent.id),
      staff: await staffSession(),
      meta: requestMeta(),
    });
    const view = await getScopeResetView(resetId, VIEWER);
    expect(view.impact?.subusersLackingEraseJob).toEqual([{ id: sub.id, username: sub.username, missing: [...ERASE_JOB_SCOPES] }]);
    expect(view.notes.after?.body).toContain(
      `Subusers still without the erase-job scopes (1): erase requests on-behalf-of them are refused until each is reset: ${sub.username} (#${sub.id}).`,
    );
    expect(view.notes.admin?.body).toContain(`${sub.username} (#${sub.id})`);
    expect(view.reply?.draft?.text).toContain(`(with the on-behalf-of header) will be refused until their scopes are enabled too`);
  });

  it("mentions the anomaly in both ticket notes and the admin note, and the reason in note 2", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES, signedUpAt: new Date("2024-05-05T12:00:00Z") });
    const { resetId } = await performScopeReset({
      accountId: account.id,
      request: await confirm(account.id, { reason: "Customer escalated via phone." }),
      staff: await staffSession(),
      meta: requestMeta(),
      // An anomaly needs approval by default (decision 040); this test is about what the notes say.
      policy: noApprovalRules(),
    });
    const view = await getScopeResetView(resetId, VIEWER);
    for (const body of [view.notes.before!.body, view.notes.after!.body, view.notes.admin!.body])
      expect(body).toMatch(/^ANOMALY: .*unexpected for this signup date/m);
    expect(view.notes.after?.body).toContain("Reason: Customer escalated via phone.");
    expect(view.reply?.draft?.text).not.toMatch(/anomaly|escalated/i);
  });
});

describe("family reset", () => {
  async function familyOf(subuserCount: number) {
    const parent = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const subs = [];
    for (let i = 0; i < subuserCount; i++) subs.push(await createAccount({ scopes: ["mail.send", "stats.read"], parentId: parent.id }));
    return { parent, subs };
  }

  it("resets the parent and the picked subusers, each with its own records, under one ticket, one summary and one note pair", async () => {
    const { parent, subs } = await familyOf(3);
    const preview = describeFamilyReset(await loadResetSubject(getDb(), parent.id, { lock: false }), "default");
    expect(preview.parent.needsReset).toBe(true);
    expect(preview.subusers.map((s) => s.id)).toEqual(subs.map((s) => s.id));
    const picked = preview.subusers.slice(0, 2);
    const request = family.parse({
      ticket: "#6262",
      idempotencyKey: randomUUID(),
      parent: { expectedFingerprint: preview.parent.expectedFingerprint },
      subusers: picked.map((s) => ({ id: s.id, expectedFingerprint: s.expectedFingerprint })),
    });
    const staff = await staffSession();
    const summary = await performFamilyReset({ parentId: parent.id, request, staff, meta: requestMeta() });
    expect(summary.results.map((r) => [r.accountId, r.role, r.outcome])).toEqual([
      [parent.id, "parent", "succeeded"],
      [subs[0]!.id, "subuser", "succeeded"],
      [subs[1]!.id, "subuser", "succeeded"],
    ]);
    expect(summary.notesRecorded).toBe(true);
    const familyNotes = await getDb().ticketNote.findMany({ where: { familyResetId: summary.familyResetId }, orderBy: { kind: "asc" } });
    expect(familyNotes.map((n) => [n.kind, n.resetId])).toEqual([
      ["scopes_before", summary.results[0]!.resetId],
      ["scopes_after", summary.results[0]!.resetId],
    ]);
    for (const r of summary.results) {
      const view = await getScopeResetView(r.resetId!, VIEWER);
      expect(view).toMatchObject({ outcome: "succeeded", familyResetId: summary.familyResetId, ticket: { ticketId: "6262" } });
      expect(view.eraseJobAfter?.both).toBe(true);
      // Every account shows the family's one pair, and its own admin note.
      expect(view.notes.before?.id).toBe(familyNotes[0]!.id);
      expect(view.notes.after?.id).toBe(familyNotes[1]!.id);
      expect(view.notes.admin).toBeTruthy();
      expect(view.reply).toBeNull();
    }
    expect(await getDb().ticketNote.count({ where: { resetId: { in: summary.results.map((r) => r.resetId!) } } })).toBe(2);
    const parentView = await getScopeResetView(summary.results[0]!.resetId!, VIEWER);
    expect(parentView.impact?.subusersLackingEraseJob.map((s) => s.id)).toEqual(subs.map((s) => s.id));
    // Note 2 is true once the family is done: the two reset subusers have the scopes, only the third lacks them.
    const after = familyNotes[1]!.body;
    expect(after).toContain(
      `Subusers still without the erase-job scopes (1): erase requests on-behalf-of them are refused until each is reset: ${subs[2]!.username} (#${subs[2]!.id}).`,
    );
    for (const sub of subs.slice(0, 2)) expect(after).toContain(`Subuser ${sub.username} (#${sub.id}): reset,`);
    // The parent's admin note says which subusers the same confirmation resets next.
    expect(parentView.notes.admin?.body).toContain(
      `Subusers this family reset resets next (2; the family's notes say how each went): ${subs[0]!.username} (#${subs[0]!.id}), ${subs[1]!.username} (#${subs[1]!.id}).`,
    );
    // One reply for the family, true now: it names the reset subusers as enabled and only the third as lacking.
    const familyView = await getFamilyReset(summary.familyResetId, VIEWER);
    const reply = familyView.reply.draft?.text ?? "";
    expect(reply).toContain(
      `are now enabled on your account ${parent.username} and its subusers ${subs[0]!.username} and ${subs[1]!.username}.`,
    );
    expect(reply).toContain(`- ${subs[2]!.username}\n`);
    expect(reply).not.toContain(`- ${subs[0]!.username}\n`);
    expect((await getFamilyReset(summary.familyResetId, VIEWER)).attempts.map((a) => a.account.id)).toEqual(
      summary.results.map((r) => r.accountId),
    );

    // The same confirmation again replays every account, and resets (and notes) nothing twice.
    const again = await performFamilyReset({ parentId: parent.id, request, staff, meta: requestMeta() });
    expect(again.results.map((r) => r.outcome)).toEqual(["replayed", "replayed", "replayed"]);
    expect(again.familyResetId).toBe(summary.familyResetId);
    expect(await getDb().ticketNote.count({ where: { familyResetId: summary.familyResetId } })).toBe(2);
  });

  it("leaves the others done when one subuser fails, and says so", async () => {
    const { parent, subs } = await familyOf(2);
    const preview = describeFamilyReset(await loadResetSubject(getDb(), parent.id, { lock: false }), "default");
    const request = family.parse({
      ticket: "#6263",
      idempotencyKey: randomUUID(),
      parent: { expectedFingerprint: preview.parent.expectedFingerprint },
      subusers: [
        { id: subs[0]!.id, expectedFingerprint: sha256("not the preview") },
        { id: subs[1]!.id, expectedFingerprint: preview.subusers[1]!.expectedFingerprint },
      ],
    });
    const summary = await performFamilyReset({ parentId: parent.id, request, staff: await staffSession(), meta: requestMeta() });
    expect(summary.results.map((r) => [r.accountId, r.outcome, r.error?.code ?? null])).toEqual([
      [parent.id, "succeeded", null],
      [subs[0]!.id, "failed", "stale_preview"],
      [subs[1]!.id, "succeeded", null],
    ]);
    const after = await getDb().ticketNote.findFirstOrThrow({ where: { familyResetId: summary.familyResetId, kind: "scopes_after" } });
    expect(after.body).toContain(`Subuser ${subs[0]!.username} (#${subs[0]!.id}): FAILED, nothing changed (stale_preview: `);
    expect(after.body).toContain(`until each is reset: ${subs[0]!.username} (#${subs[0]!.id}).`);
  });

  it("does not attempt the subusers when the parent's reset fails, and records them as skipped", async () => {
    const { parent, subs } = await familyOf(1);
    const preview = describeFamilyReset(await loadResetSubject(getDb(), parent.id, { lock: false }), "default");
    const request = family.parse({
      ticket: "#6264",
      idempotencyKey: randomUUID(),
      parent: { expectedFingerprint: scopeSetFingerprint(["stale"]) },
      subusers: [{ id: subs[0]!.id, expectedFingerprint: preview.subusers[0]!.expectedFingerprint }],
    });
    const summary = await performFamilyReset({ parentId: parent.id, request, staff: await staffSession(), meta: requestMeta() });
    expect(summary.results.map((r) => r.outcome)).toEqual(["failed", "skipped"]);
    // Nothing changed, so there is nothing to note in the ticket.
    expect(summary.notesRecorded).toBe(false);
    expect(await getDb().ticketNote.count({ where: { familyResetId: summary.familyResetId } })).toBe(0);
    expect(await attempts(subs[0]!.id)).toEqual([
      expect.objectContaining({
        outcome: "failed",
        failureReason: expect.stringMatching(/^skipped: Not attempted: the parent's reset failed/),
      }),
    ]);
  });

  it("refuses, doing nothing, subusers that are not the parent's", async () => {
    const { parent } = await familyOf(1);
    const stranger = await createAccount({ scopes: ["mail.send"] });
    const request = family.parse({
      ticket: "#6265",
      idempotencyKey: randomUUID(),
      parent: { expectedFingerprint: "a".repeat(64) },
      subusers: [{ id: stranger.id, expectedFingerprint: "b".repeat(64) }],
    });
    await expect(
      performFamilyReset({ parentId: parent.id, request, staff: await staffSession(), meta: requestMeta() }),
    ).rejects.toMatchObject({
      code: "bad_request",
      details: { ids: [stranger.id] },
    });
    expect(await attempts(parent.id)).toEqual([]);
  });
});
