import type { Page } from "@playwright/test";
import { withTestDb } from "./db";
import { expect, test } from "./fixtures";
import { axeViolations, storageStateFor } from "./support";

/**
 * What a lead uses every day on the audit pages (issue 22): "Verify chain"
 * with its result in words, delivery states that update without a reload,
 * failure reasons in words, filters by name, specific titles, a page that
 * works at 390 px and has no accessibility violation of moderate impact or more.
 * Data: one account with three resets by Blair in a random 2025 window.
 */
const DAY = 86_400_000;
const BASE = Date.UTC(2025, 0, 1) + Math.floor(Math.random() * 300) * DAY;
const day = (n: number) => new Date(BASE + n * DAY).toISOString().slice(0, 10);
const accountId = 79_000_000 + Math.floor(Math.random() * 900_000);
const ids = { delivered: "", pending: "", failed: "" };
const noteIds: string[] = [];
let replyId = "";

test.beforeAll(async () => {
  await withTestDb(async (db) => {
    const blair = (
      await db.query<{ id: string; name: string; email: string }>(
        "SELECT id, name, email FROM staff_user WHERE email = 'agent2@scopedesk.test'",
      )
    ).rows[0]!;
    const before = (
      await db.query<{ id: number; n: number }>(
        "SELECT id, cardinality(scopes) AS n FROM scope_set WHERE NOT has_erase_job ORDER BY id LIMIT 1",
      )
    ).rows[0]!;
    const after = (
      await db.query<{ id: number; n: number }>(
        "SELECT id, cardinality(scopes) AS n FROM scope_set WHERE has_erase_job ORDER BY id LIMIT 1",
      )
    ).rows[0]!;
    await db.query(
      "INSERT INTO account (id, username, email, company, signed_up_at, scope_set_id) VALUES ($1, $2, $3, 'Integrity Ltd', '2020-01-01T00:00:00Z', $4)",
      [accountId, `e2e-integrity-${accountId}`, `e2e-integrity-${accountId}@example.com`, after.id],
    );
    for (const [i, key] of (["delivered", "pending", "failed"] as const).entries()) {
      const id = crypto.randomUUID();
      ids[key] = id;
      const failed = key === "failed";
      const ticketId = String(700_000_000 + Math.floor(Math.random() * 90_000_000));
      await db.query(
        `INSERT INTO scope_reset (id, account_id, outcome, actor_id, actor_name, actor_email, ticket_id, ticket_url, idempotency_key, request_hash,
           before_scope_set_id, after_scope_set_id, before_count, after_count, added, removed, verified, catalog_version, request_id,
           client_ip, user_agent, duration_ms, failure_reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, '{}', '{}', $15, 'e2e', $16, '198.51.100.7', 'e2e', 15, $17, $18)`,
        [
          id,
          accountId,
          failed ? "failed" : "succeeded",
          blair.id,
          blair.name,
          blair.email,
          ticketId,
          `https://scopedesk.zendesk.com/agent/tickets/${ticketId}`,
          crypto.randomUUID(),
          "0".repeat(64),
          before.id,
          failed ? null : after.id,
          before.n,
          failed ? null : after.n,
          !failed,
          `e2e-integrity-${i}`,
          failed ? "Verification failed: after the update the account still lacks recipients.erasejob.create." : null,
          new Date(BASE + i * DAY + 10 * 3_600_000).toISOString(),
        ],
      );
      if (failed) continue;
      // No job is queued for these: the worker leaves them alone, and the test moves them on.
      for (const kind of ["scopes_before", "scopes_after", ...(key === "pending" ? ["customer_reply"] : [])]) {
        const deliveryId = crypto.randomUUID();
        const marker = `[e2e ${deliveryId}]`;
        const status = key === "delivered" ? "delivered" : "queued";
        await db.query(
          `INSERT INTO helpdesk_delivery (id, reset_id, ticket_id, kind, body, public, marker, status, requested_by_name, delivered_at, zendesk_comment_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            deliveryId,
            id,
            ticketId,
            kind,
            `${kind === "customer_reply" ? "Hello! Your account can now create erasure jobs: make a new API key." : `${kind} for e2e`} ${marker}`,
            kind === "customer_reply",
            marker,
            status,
            blair.name,
            status === "delivered" ? new Date().toISOString() : null,
            status === "delivered" ? 4242 : null,
          ],
        );
        if (key === "pending") {
          if (kind === "customer_reply") replyId = deliveryId;
          else noteIds.push(deliveryId);
        }
      }
    }
  });
});

async function noHorizontalOverflow(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, "the page scrolls sideways").toBeLessThanOrEqual(width);
}

test.describe("lead", () => {
  test.use({ storageState: storageStateFor("lead") });
  // Each test waits for the worker or for a poll or two on a machine shared with other runs.
  test.describe.configure({ timeout: 120_000 });

  test("verifies the chain and reads the result in words", async ({ page }) => {
    await page.goto("/audit");
    const panel = page.getByTestId("verify-chain");
    await panel.getByRole("button", { name: "Verify chain" }).click();
    // The worker beside the app walks the log; the page polls and shows progress, then the result.
    const result = page.getByTestId("verify-result");
    await expect(result).toBeVisible({ timeout: 30_000 });
    await expect(result).toHaveAttribute("data-ok", "true");
    await expect(result).toContainText(/Intact through event #\d+: all [\d,]+ events match their hashes and links/);
    await expect(result).toContainText("asked by Lee Lead");
    await expect(panel.getByRole("button", { name: "Verify chain" })).toBeEnabled();
    // Asking was recorded in the log.
    const recorded = await withTestDb(async (db) =>
      Number(
        (
          await db.query<{ n: string }>(
            "SELECT count(*) AS n FROM audit_event WHERE action = 'audit.chain_verified' AND occurred_at > now() - interval '2 minutes'",
          )
        ).rows[0]!.n,
      ),
    );
    expect(recorded).toBeGreaterThanOrEqual(1);
  });

  test("sees names in the filters, failure reasons in words, and delivery states move on without a reload", async ({ page }) => {
    await page.goto(`/audit?from=${day(0)}&to=${day(5)}&account=${accountId}`);
    await expect(page).toHaveTitle(`Scope reset audit: ${day(0)} to ${day(5)}, account ${accountId} · Scopedesk`);
    await page.getByLabel("Agent").selectOption({ label: "Blair Agent (agent2@scopedesk.test)" });
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/agent=[0-9a-f-]{36}/);
    const chips = page.getByRole("navigation", { name: "Filters in force" });
    await expect(chips.getByTestId("filter-chip")).toHaveCount(4);
    for (const text of [`From ${day(0)}`, `To ${day(5)}`, "Agent: Blair Agent", `Account: ${accountId} · e2e-integrity-${accountId}`]) {
      await expect(chips).toContainText(text);
    }
    await expect(chips).not.toContainText(/[0-9a-f]{8}-[0-9a-f]{4}/);
    // A chip removes its filter.
    await chips.getByRole("link", { name: /Agent: Blair Agent/ }).click();
    await expect(page).not.toHaveURL(/agent=/);
    await expect(chips.getByTestId("filter-chip")).toHaveCount(3);

    const rows = page.getByTestId("audit-row");
    await expect(rows).toHaveCount(3);
    await expect(page.getByTestId("failure-reasons")).toContainText("Scopes did not verify");
    await expect(page.locator('[data-testid="audit-row"][data-outcome="failed"]')).toContainText("Scopes did not verify");
    const pending = page.locator('[data-testid="audit-row"]').filter({ has: page.locator(`a[href="/audit/resets/${ids.pending}"]`) });
    await expect(pending).toHaveCount(1);
    await expect(pending.getByTestId("delivery-state")).toHaveText("notes queued · reply queued");
    // The title follows the client-side navigations the filter form and the chips make.
    await expect(page).toHaveTitle(`Scope reset audit: ${day(0)} to ${day(5)}, account ${accountId} · Scopedesk`);
    expect(await axeViolations(page, undefined, { minImpact: "moderate" })).toEqual([]);

    // The notes arrive (as the worker would record it): the list shows it within a few seconds, no reload.
    await withTestDb((db) =>
      db.query(
        "UPDATE helpdesk_delivery SET status = 'delivered', delivered_at = now(), zendesk_comment_id = 99 WHERE id = ANY($1::uuid[])",
        [noteIds],
      ),
    );
    await expect(pending.getByTestId("delivery-state")).toHaveText("notes delivered · reply queued", { timeout: 15_000 });
  });

  test("opens a reset's audit page: its title, the reply as sent, its delivery moving on live", async ({ page }) => {
    await page.goto(`/audit/resets/${ids.pending}`);
    await expect(page).toHaveTitle(new RegExp(`^Scope reset on e2e-integrity-${accountId}, .* UTC \\(audit\\) · Scopedesk$`));
    const reply = page.getByTestId("sent-reply");
    await expect(reply).toContainText("Hello! Your account can now create erasure jobs: make a new API key.");
    await expect(reply).toHaveAttribute("data-status", "queued");
    expect(await axeViolations(page, undefined, { minImpact: "moderate" })).toEqual([]);
    await withTestDb((db) =>
      db.query("UPDATE helpdesk_delivery SET status = 'delivered', delivered_at = now(), zendesk_comment_id = 77 WHERE id = $1", [replyId]),
    );
    await expect(reply).toHaveAttribute("data-status", "delivered", { timeout: 15_000 });
    await expect(reply).toContainText("(comment 77)");

    await page.goto(`/audit/resets/${ids.failed}`);
    await expect(page).toHaveTitle(/^Failed reset attempt on e2e-integrity-\d+, .* UTC \(audit\) · Scopedesk$/);
    await expect(page.getByTestId("failure-reason")).toContainText("Scopes did not verify.");
    await expect(page.getByTestId("failure-reason")).toContainText("nothing changed");

    await page.goto(`/audit/accounts/${accountId}`);
    await expect(page).toHaveTitle(`Audit timeline of e2e-integrity-${accountId} (account ${accountId}) · Scopedesk`);
    expect(await axeViolations(page, undefined, { minImpact: "moderate" })).toEqual([]);
  });

  test.describe("on a phone (390 × 844)", () => {
    test.use({ viewport: { width: 390, height: 844 } });

    test("the audit pages fit the screen: cards instead of the table, nothing scrolls sideways, no accessibility violation", async ({
      page,
    }) => {
      await page.goto(`/audit?from=${day(0)}&to=${day(5)}&account=${accountId}`);
      await expect(page.getByTestId("audit-card")).toHaveCount(3);
      await expect(page.getByTestId("audit-row").first()).toBeHidden();
      await noHorizontalOverflow(page);
      expect(await axeViolations(page, undefined, { minImpact: "moderate" })).toEqual([]);

      await page
        .getByTestId("audit-card")
        .first()
        .getByRole("link", { name: /details/ })
        .click();
      await expect(page).toHaveURL(/\/audit\/resets\//);
      await noHorizontalOverflow(page);
      expect(await axeViolations(page, undefined, { minImpact: "moderate" })).toEqual([]);

      await page.goto(`/audit/accounts/${accountId}`);
      await noHorizontalOverflow(page);
      expect(await axeViolations(page, undefined, { minImpact: "moderate" })).toEqual([]);
    });
  });
});
