import { readFile } from "node:fs/promises";
import pg from "pg";
import { expect, test } from "./fixtures";
import { axeViolations, storageStateFor } from "./support";

/**
 * The audit workspace in the browser. Data: one account with six resets in a
 * random 2021 window (nothing else writes there), inserted straight into the
 * test database: three by Alex (agent), three by Blair (agent2), one of
 * Blair's failed.
 */
const DAY = 86_400_000;
const BASE = Date.UTC(2021, 0, 1) + Math.floor(Math.random() * 300) * DAY;
const day = (n: number) => new Date(BASE + n * DAY).toISOString().slice(0, 10);
const accountId = 70_000_000 + Math.floor(Math.random() * 9_000_000);
const ticketBase = 600_000_000 + Math.floor(Math.random() * 90_000_000);
const resets: { id: string; actor: "alex" | "blair"; outcome: string; ticketId: string }[] = [];

test.beforeAll(async () => {
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    const staff = (
      await db.query<{ id: string; name: string; email: string }>(
        "SELECT id, name, email FROM staff_user WHERE email IN ('agent@scopedesk.test', 'agent2@scopedesk.test') ORDER BY email",
      )
    ).rows;
    const alex = staff.find((s) => s.email === "agent@scopedesk.test")!;
    const blair = staff.find((s) => s.email === "agent2@scopedesk.test")!;
    const before = (
      await db.query<{ id: number; scopes: string[] }>("SELECT id, scopes FROM scope_set WHERE NOT has_erase_job ORDER BY id LIMIT 1")
    ).rows[0]!;
    const after = (
      await db.query<{ id: number; scopes: string[] }>("SELECT id, scopes FROM scope_set WHERE has_erase_job ORDER BY id LIMIT 1")
    ).rows[0]!;
    await db.query(
      "INSERT INTO account (id, username, email, signed_up_at, scope_set_id) VALUES ($1, $2, $3, '2021-02-02T00:00:00Z', $4)",
      [accountId, `e2e-audit-${accountId}`, `e2e-audit-${accountId}@example.com`, after.id],
    );
    for (let i = 0; i < 6; i++) {
      const who = i % 2 === 0 ? alex : blair;
      const failed = i === 3;
      const ticketId = String(ticketBase + i);
      const id = crypto.randomUUID();
      const at = new Date(BASE + i * DAY + 9 * 3_600_000).toISOString();
      const added = after.scopes.filter((s) => !before.scopes.includes(s));
      const removed = before.scopes.filter((s) => !after.scopes.includes(s));
      await db.query(
        `INSERT INTO scope_reset (id, account_id, outcome, actor_id, actor_name, actor_email, ticket_id, ticket_url, idempotency_key, request_hash,
           before_scope_set_id, after_scope_set_id, before_count, after_count, added, removed, verified, catalog_version, request_id,
           client_ip, user_agent, duration_ms, failure_reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'e2e', $18, '198.51.100.7', 'e2e', 15, $19, $20)`,
        [
          id,
          accountId,
          failed ? "failed" : "succeeded",
          who.id,
          who.name,
          who.email,
          ticketId,
          `https://scopedesk.zendesk.com/agent/tickets/${ticketId}`,
          crypto.randomUUID(),
          "0".repeat(64),
          before.id,
          failed ? null : after.id,
          before.scopes.length,
          failed ? null : after.scopes.length,
          added,
          removed,
          !failed,
          `e2e-req-${i}`,
          failed ? "stale_preview: the scopes changed since the preview" : null,
          at,
        ],
      );
      if (!failed) {
        for (const kind of ["scopes_before", "scopes_after"]) {
          await db.query(
            `INSERT INTO ticket_note (id, ticket_id, ticket_url, account_id, reset_id, kind, body, author_id, author_name, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [
              crypto.randomUUID(),
              ticketId,
              `https://scopedesk.zendesk.com/agent/tickets/${ticketId}`,
              accountId,
              id,
              kind,
              `${kind} note for e2e ${i}`,
              who.id,
              who.name,
              at,
            ],
          );
        }
      }
      resets.push({ id, actor: who === alex ? "alex" : "blair", outcome: failed ? "failed" : "succeeded", ticketId });
    }
  } finally {
    await db.end();
  }
});

test.describe("lead", () => {
  test.use({ storageState: storageStateFor("lead") });

  test("filters by agent and date, opens a reset, checks the ticket link and downloads the CSV", async ({ page }) => {
    await page.goto("/audit");
    await expect(page.getByRole("heading", { level: 1, name: "Audit" })).toBeVisible();
    await page.getByLabel("Agent").selectOption({ label: "Blair Agent (agent2@scopedesk.test)" });
    await page.getByLabel("Date range").selectOption("custom");
    await page.getByLabel("From (UTC)").fill(day(0));
    await page.getByLabel("To (UTC, inclusive)").fill(day(10));
    await page.getByRole("button", { name: "Apply filters" }).click();

    await expect(page).toHaveURL(new RegExp(`/audit\\?from=${day(0)}&to=${day(10)}&agent=[0-9a-f-]{36}$`));
    const rows = page.getByTestId("audit-row");
    await expect(rows).toHaveCount(3);
    const blairs = resets.filter((r) => r.actor === "blair").reverse();
    // Newest first; every row is Blair's; the failed one is marked.
    for (const [i, reset] of blairs.entries()) {
      await expect(rows.nth(i).getByTestId("ticket-link")).toHaveAttribute(
        "href",
        `https://scopedesk.zendesk.com/agent/tickets/${reset.ticketId}`,
      );
      await expect(rows.nth(i)).toHaveAttribute("data-outcome", reset.outcome);
      await expect(rows.nth(i)).toContainText("Blair Agent");
    }
    expect(await axeViolations(page, "main")).toEqual([]);

    // The bookmark reloads the same view.
    await page.reload();
    await expect(rows).toHaveCount(3);

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download CSV" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^scope-resets-.*\.csv$/);
    const csv = (await readFile((await file.path())!, "utf8")).trim().split("\n");
    expect(csv[0]).toMatch(/^id,created_at,outcome/);
    expect(csv.slice(1).map((l) => l.split(",")[0])).toEqual(blairs.map((r) => r.id));

    // Open the failed attempt.
    const failed = blairs.find((r) => r.outcome === "failed")!;
    await rows
      .nth(blairs.indexOf(failed))
      .getByRole("link", { name: /details/ })
      .click();
    await expect(page).toHaveURL(`/audit/resets/${failed.id}`);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Failed reset attempt");
    // The reason in words, and what was recorded.
    await expect(page.getByTestId("failure-reason")).toContainText("Account changed since the preview.");
    await expect(page.getByTestId("failure-reason")).toContainText("Recorded: the scopes changed since the preview");
    await expect(page.getByTestId("detail-ticket-link")).toHaveAttribute(
      "href",
      `https://scopedesk.zendesk.com/agent/tickets/${failed.ticketId}`,
    );
    await expect(page.getByText("198.51.100.7")).toBeVisible();

    // And the account timeline from there.
    await page
      .getByRole("link", { name: new RegExp(`${accountId}`) })
      .first()
      .click();
    await expect(page).toHaveURL(`/audit/accounts/${accountId}`);
    await expect(page.locator('[data-testid="timeline-entry"][data-type="reset"]')).toHaveCount(6);
    await expect(page.locator('[data-testid="timeline-entry"][data-type="ticket_note"]')).toHaveCount(10);
  });

  test("an absurd filter is explained, not a crash", async ({ page }) => {
    await page.goto(`/audit?from=${day(5)}&to=${day(1)}`);
    await expect(page.getByRole("alert").filter({ hasText: "These filters cannot be used" })).toContainText(/inverted/);
  });
});

test.describe("agent", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("sees only their own resets and cannot open someone else's", async ({ page, expectErrors }) => {
    await page.goto(`/audit?from=${day(0)}&to=${day(10)}`);
    const rows = page.getByTestId("audit-row");
    await expect(rows).toHaveCount(3);
    for (const row of await rows.all()) await expect(row).toContainText("Alex Agent");
    await expect(page.getByLabel("Agent")).toBeDisabled();
    await expect(page.getByRole("link", { name: "Download CSV" })).toHaveCount(0);

    const blairs = resets.find((r) => r.actor === "blair")!;
    expectErrors(new RegExp(`^HTTP 404 GET \\S+/audit/resets/${blairs.id}$`));
    const response = await page.goto(`/audit/resets/${blairs.id}`);
    expect(response?.status()).toBe(404);
  });
});

test.describe("viewer", () => {
  test.use({ storageState: storageStateFor("viewer") });

  test("has no access", async ({ page, expectErrors }) => {
    expectErrors(/^HTTP 403 GET \S+\/audit$/);
    const response = await page.goto("/audit");
    expect(response?.status()).toBe(403);
  });
});
