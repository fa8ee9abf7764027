import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { textToZendeskHtml } from "@/lib/helpdesk/comment-html";
import { COMMENT_MAX_BYTES } from "@/lib/helpdesk/zendesk-client";
import { stopBoss } from "@/lib/jobs/boss";
import { getDb } from "@/lib/platform/db";
import { getAccountDetail } from "@/lib/accounts/get-account-detail";
import { getScopeResetView } from "@/lib/scope-resets/get-scope-reset";
import { performScopeReset } from "@/lib/scope-resets/perform-scope-reset";
import { scopeResetRequestSchema } from "@/lib/scope-resets/request";
import { NOTE_MAX_CHARS, REPLY_DRAFT_MAX_CHARS } from "@/lib/scope-resets/text-parts";
import { ensureScopeSet } from "@/lib/scopes/ensure-scope-set";
import { generateApiKey } from "@/lib/api-keys/api-key-format";
import { CUSTOMER_REPLY_MAX_LENGTH } from "@/lib/helpdesk/helpdesk-comments";
import { createAccount, createStaff, noApprovalRules, PRE_CUTOFF_SCOPES, requestMeta } from "../support/factories";

/**
 * Every text within bounds (issue 20): an account with 100 API keys (each
 * using scopes the default reset removes) and 500 subusers lacking the
 * erase-job scopes made a 79,278-character note and a 30,623-character reply
 * draft. Built with the factories, reset for real, measured: every note
 * within NOTE_MAX_CHARS, the reply draft within REPLY_DRAFT_MAX_CHARS (and so
 * within the console's 20,000), every one's HTML within Zendesk's 64 KB.
 */
afterAll(stopBoss);

const HELPDESK = { baseUrl: "https://scopedesk.zendesk.com", allowedSubdomains: [] };
const OLD_SCOPES = [...PRE_CUTOFF_SCOPES, "email_activity.read", "mail.legacy_smtp_api.send"];

describe("100 keys and 500 subusers", () => {
  it(
    "every note and the reply stay within their bounds and Zendesk's, and say where the full lists are",
    { timeout: 120_000 },
    async () => {
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
      const subSet = await ensureScopeSet(db, ["mail.send", "stats.read"]);
      const firstSub = 70_000_000 + (process.pid % 1000) * 1000;
      await db.account.createMany({
        data: Array.from({ length: 500 }, (_, i) => ({
          id: firstSub + i,
          username: `${parent.username}-subuser-with-a-long-name-${i}`,
          email: `sub${i}@bounds.example`,
          signedUpAt: new Date("2021-01-01T00:00:00Z"),
          parentId: parent.id,
          scopeSetId: subSet.id,
        })),
      });

      const detail = await getAccountDetail(parent.id);
      const staff = await createStaff("agent");
      const request = scopeResetRequestSchema(HELPDESK).parse({
        ticket: "#7777",
        idempotencyKey: randomUUID(),
        expectedFingerprint: detail.resetPlan.previewFingerprint,
        acknowledgedKeyImpact: detail.resetPlan.default.keyImpact.fingerprint,
      });
      // 100 keys losing scopes need approval by default (decision 040); this test is about the texts' bounds.
      const { resetId } = await performScopeReset({ accountId: parent.id, request, staff, meta: requestMeta(), policy: noApprovalRules() });
      const view = await getScopeResetView(resetId, staff);

      const texts = {
        "ticket note 1": view.notes.before!.body,
        "ticket note 2": view.notes.after!.body,
        "admin note": view.notes.admin!.body,
        "reply draft": view.reply!.draft!.text,
      };
      const sizes = Object.fromEntries(
        Object.entries(texts).map(([name, text]) => [
          name,
          { characters: text.length, htmlBytes: Buffer.byteLength(textToZendeskHtml(text)) },
        ]),
      );
      console.log(`100 keys, 500 subusers: ${JSON.stringify(sizes)}`);
      for (const [name, text] of Object.entries(texts)) {
        expect(text.length, name).toBeLessThanOrEqual(name === "reply draft" ? REPLY_DRAFT_MAX_CHARS : NOTE_MAX_CHARS);
        expect(text.length, name).toBeLessThanOrEqual(CUSTOMER_REPLY_MAX_LENGTH);
        expect(sizes[name]!.htmlBytes, name).toBeLessThanOrEqual(COMMENT_MAX_BYTES);
      }
      // The summary still says everything, in counts, and where the lists are complete.
      expect(texts["ticket note 2"]).toContain("Existing API keys that lost scopes in the reset: 100,");
      expect(texts["ticket note 2"]).toContain("Existing API keys without the erase-job scopes: 100.");
      expect(texts["ticket note 2"]).toContain("Subusers still without the erase-job scopes (500)");
      expect(texts["ticket note 2"]).toContain(`/scope-resets/${resetId}`);
      expect(texts["reply draft"]).toContain("- and 80 more keys; we can send you the full list");
      expect(texts["reply draft"]).toContain("- and 480 more subusers; we can send you the full list");
      // The result page has every one.
      expect(view.impact!.keysLackingEraseJob).toHaveLength(100);
      expect(view.impact!.subusersLackingEraseJob).toHaveLength(500);
    },
  );
});
