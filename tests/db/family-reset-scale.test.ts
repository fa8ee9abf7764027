import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { getAccountDetail } from "@/lib/accounts/get-account-detail";
import { generateApiKey } from "@/lib/api-keys/api-key-format";
import { textToZendeskHtml } from "@/lib/helpdesk/comment-html";
import { CUSTOMER_REPLY_MAX_LENGTH } from "@/lib/helpdesk/helpdesk-comments";
import { COMMENT_MAX_BYTES } from "@/lib/helpdesk/zendesk-client";
import { stopBoss } from "@/lib/jobs/boss";
import { getDb } from "@/lib/platform/db";
import { describeFamilyReset } from "@/lib/scope-resets/describe-reset-options";
import { familyPreviewView } from "@/lib/scope-resets/family-preview-view";
import { getFamilyReset } from "@/lib/scope-resets/get-family-reset";
import { loadResetSubject } from "@/lib/scope-resets/load-reset-subject";
import { performFamilyReset } from "@/lib/scope-resets/perform-family-reset";
import { FAMILY_RESET_MAX_BODY_BYTES, familyResetRequestSchema } from "@/lib/scope-resets/request";
import { NOTE_MAX_CHARS, REPLY_DRAFT_MAX_CHARS } from "@/lib/scope-resets/text-parts";
import { ensureScopeSet } from "@/lib/scopes/ensure-scope-set";
import { createAccount, createStaff, noApprovalRules, PRE_CUTOFF_SCOPES, requestMeta } from "../support/factories";

/**
 * A family reset of 500 subusers in one confirmation (decision 046): a parent
 * with 100 API keys (each losing scopes) and 500 subusers lacking the
 * erase-job scopes, built with the factories and reset for real. One
 * confirmation within its body limit, one note pair and one reply, every text
 * within Zendesk's 64 KB and the console's 20,000 characters, the preview and
 * the account page bounded; the figures are printed for the decision.
 */
afterAll(stopBoss);

const HELPDESK = { baseUrl: "https://scopedesk.zendesk.com", allowedSubdomains: [] };
const OLD_SCOPES = [...PRE_CUTOFF_SCOPES, "email_activity.read", "mail.legacy_smtp_api.send"];
const SUBUSERS = 500;

const kib = (n: number) => Math.round(n / 102.4) / 10;

describe("a family reset of 500 subusers and 100 keys", () => {
  it("fits one confirmation, one note pair and one reply, and every text and page stays bounded", { timeout: 600_000 }, async () => {
    const db = getDb();
    const parent = await createAccount({ scopes: OLD_SCOPES });
    const keySet = await ensureScopeSet(db, ["mail.send", "email_activity.read", "mail.legacy_smtp_api.send"]);
    await db.apiKey.createMany({
      data: Array.from({ length: 100 }, (_, i) => {
        const key = generateApiKey();
        return {
          id: key.id,
          accountId: parent.id,
          name: `Production sender number ${i} – legacy SMTP`,
          scopeSetId: keySet.id,
          secretHash: key.hash,
        };
      }),
    });
    // Two kinds of subuser, as families have: most send mail only, some also read stats.
    const mailOnly = await ensureScopeSet(db, ["mail.send"]);
    const withStats = await ensureScopeSet(db, ["mail.send", "stats.read"]);
    const firstSub = 80_000_000 + (process.pid % 1000) * 1000;
    await db.account.createMany({
      data: Array.from({ length: SUBUSERS }, (_, i) => ({
        id: firstSub + i,
        username: `${parent.username}-subuser-with-a-long-name-${i}`,
        email: `sub${i}@family-scale.example`,
        signedUpAt: new Date("2021-01-01T00:00:00Z"),
        parentId: parent.id,
        scopeSetId: i % 5 === 0 ? withStats.id : mailOnly.id,
      })),
    });
    const figures: Record<string, unknown> = {};

    // What the account page and the dialog read.
    const detail = await getAccountDetail(parent.id);
    figures.accountPageKiB = kib(JSON.stringify(detail).length);
    figures.accountPageParts = Object.fromEntries(
      Object.entries({ ...detail, ...detail.resetPlan, ...detail.resetPlan.default }).map(([k, v]) => [
        k,
        kib(JSON.stringify(v ?? null).length),
      ]),
    );
    // The page names 50 of the subusers lacking the scopes and counts them all; its size no longer grows with them.
    expect(detail.resetPlan.subusersLackingCount).toBe(SUBUSERS);
    expect(detail.resetPlan.subusersLackingEraseJob).toHaveLength(50);
    expect(detail.subusers.listed).toHaveLength(200);
    expect(JSON.stringify(detail).length).toBeLessThan(160 * 1024);
    const described = describeFamilyReset(await loadResetSubject(db, parent.id, { lock: false }), "default");
    figures.previewFullKiB = kib(JSON.stringify(described).length);
    const preview = familyPreviewView(described);
    figures.previewSentKiB = kib(JSON.stringify(preview).length);
    expect(preview.subusers).toHaveLength(SUBUSERS);
    expect(preview.subuserPlans).toHaveLength(2);
    expect(JSON.stringify(preview).length).toBeLessThan(256 * 1024);

    // The confirmation the dialog sends: every subuser, one body.
    const confirmation = {
      ticket: "#8888",
      idempotencyKey: randomUUID(),
      parent: { expectedFingerprint: preview.parent.expectedFingerprint, acknowledgedKeyImpact: preview.parent.plan.keyImpact.fingerprint },
      subusers: preview.subusers.map((s) => ({
        id: s.id,
        expectedFingerprint: s.expectedFingerprint,
        mode: "default" as const,
        ...(s.keyImpact.fingerprint ? { acknowledgedKeyImpact: s.keyImpact.fingerprint } : {}),
      })),
    };
    const body = JSON.stringify(confirmation);
    figures.confirmationKiB = kib(Buffer.byteLength(body));
    expect(Buffer.byteLength(body)).toBeLessThan(FAMILY_RESET_MAX_BODY_BYTES / 2);
    const request = familyResetRequestSchema(HELPDESK).parse(JSON.parse(body));

    const staff = await createStaff("agent");
    const started = performance.now();
    const wallStart = Date.now();
    const summary = await performFamilyReset({ parentId: parent.id, request, staff, meta: requestMeta(), policy: noApprovalRules() });
    const elapsed = performance.now() - started;
    figures.confirmationSeconds = Math.round(elapsed) / 1000;
    expect(summary.results.filter((r) => r.outcome === "succeeded")).toHaveLength(SUBUSERS + 1);
    expect(summary.notesRecorded).toBe(true);

    // Each account's own transaction, as recorded (durationMs).
    const resets = await db.scopeReset.findMany({
      where: { familyResetId: summary.familyResetId },
      select: { durationMs: true, accountId: true, createdAt: true },
    });
    // From the last account's reset to the end: at most its own transaction and the note pair's one transaction.
    const lastReset = Math.max(...resets.map((r) => r.createdAt.getTime()));
    figures.afterLastAccountMs = Math.round(wallStart + elapsed - lastReset);
    const durations = resets.map((r) => r.durationMs).sort((a, b) => a - b);
    figures.accountTransactionMs = {
      parent: resets.find((r) => r.accountId === parent.id)!.durationMs,
      median: durations[Math.floor(durations.length / 2)],
      p95: durations[Math.floor(durations.length * 0.95)],
      max: durations.at(-1),
      sum: durations.reduce((a, b) => a + b, 0),
    };
    // The rest of the confirmation: the family-level reads before the first account and the one transaction of the note pair.
    figures.familyLevelMs = Math.round(elapsed) - (figures.accountTransactionMs as { sum: number }).sum;

    // One note pair, one reply for the whole family: 3 ticket updates.
    const notes = await db.ticketNote.findMany({ where: { familyResetId: summary.familyResetId }, select: { kind: true, body: true } });
    expect(notes.map((n) => n.kind).sort()).toEqual(["scopes_after", "scopes_before"]);
    expect(await db.helpdeskDelivery.count({ where: { familyResetId: summary.familyResetId } })).toBe(2);
    const parentReset = await db.scopeReset.findFirstOrThrow({
      where: { familyResetId: summary.familyResetId, accountId: parent.id },
      select: { id: true },
    });
    const admin = await db.adminNote.findFirstOrThrow({ where: { resetId: parentReset.id }, select: { body: true } });
    const view = await getFamilyReset(summary.familyResetId, { name: "Viewing Agent" });
    figures.familyPageKiB = kib(JSON.stringify(view).length);
    expect(view.reply.draft).not.toBeNull();

    const texts = {
      "family note 1": notes.find((n) => n.kind === "scopes_before")!.body,
      "family note 2": notes.find((n) => n.kind === "scopes_after")!.body,
      "parent's admin note": admin.body,
      "reply draft": view.reply.draft!.text,
    };
    const sizes: Record<string, { characters: number; htmlBytes: number }> = {};
    for (const [name, text] of Object.entries(texts)) {
      sizes[name] = { characters: text.length, htmlBytes: Buffer.byteLength(textToZendeskHtml(text)) };
      expect(text.length, name).toBeLessThanOrEqual(name === "reply draft" ? REPLY_DRAFT_MAX_CHARS : NOTE_MAX_CHARS);
      expect(text.length, name).toBeLessThanOrEqual(CUSTOMER_REPLY_MAX_LENGTH);
      expect(sizes[name]!.htmlBytes, name).toBeLessThanOrEqual(COMMENT_MAX_BYTES);
    }
    figures.texts = sizes;
    console.log(`family reset, 500 subusers and 100 keys: ${JSON.stringify(figures)}`);

    expect(texts["family note 2"]).toContain("Every subuser of the parent now has the erase-job scopes.");
    expect(texts["family note 2"]).toContain(`${SUBUSERS + 1} accounts of ${SUBUSERS + 1} reset`);
    expect(texts["reply draft"]).toContain(`${SUBUSERS - 20} more`);
    expect(texts["reply draft"]).not.toContain("do not have the erase-job scopes yet");
  });
});
