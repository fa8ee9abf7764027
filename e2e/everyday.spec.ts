import type { Page } from "@playwright/test";
import { createLegacyCustomer, createRiskyCustomer, createSmallCustomer, withTestDb } from "./db";
import { expect, test } from "./fixtures";
import { axeViolations, openTicket, storageStateFor, ticketUrl } from "./support";

// What an agent uses every day (issue 22): titles, keyboard and focus, a phone's width, accessibility, keys' last use, big additions.

/** The page scrolls sideways: something is wider than the viewport. */
async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test.describe("agent, every day", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("every page says what it is in its title", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveTitle("Home · Scopedesk");
    await page.goto("/accounts/100001");
    await expect(page).toHaveTitle("legacy-acme (#100001) · Scopedesk");
    await page.goto("/tickets/4242");
    await expect(page).toHaveTitle("Ticket #4242 · Scopedesk");
    await page.goto("/lookup?q=legacy");
    await expect(page).toHaveTitle("Lookup: legacy · Scopedesk");
    await page.goto("/approvals");
    await expect(page).toHaveTitle("Approvals · Scopedesk");
  });

  test("works by keyboard alone, and focus returns to the button that opened a dialog", async ({ page }) => {
    const customer = await withTestDb((client) => createLegacyCustomer(client, []));
    await page.goto(`/accounts/${customer.id}`);
    const open = page.getByRole("button", { name: "Reset Scopes…" });
    await open.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await expect(dialog).toBeVisible();
    // Focus is inside the dialog and stays there.
    await expect(dialog.locator(":focus")).toHaveCount(1);
    await page.keyboard.press("Tab");
    await expect(dialog.locator(":focus")).toHaveCount(1);
    await page.keyboard.press("Escape");
    await expect(dialog).toHaveCount(0);
    await expect(open).toBeFocused();
    // Cancel by keyboard too.
    await page.keyboard.press("Enter");
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Cancel" }).focus();
    await page.keyboard.press("Enter");
    await expect(dialog).toHaveCount(0);
    await expect(open).toBeFocused();
  });

  test("the family dialog gives focus back too", async ({ page }) => {
    await page.goto("/accounts/100001");
    const open = page.getByRole("button", { name: /Reset (with )?subusers…/ });
    await open.click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(open).toBeFocused();
  });

  test("the account page, the dialog and the result page fit a phone, with no accessibility violation of moderate impact or worse", async ({
    page,
  }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const customer = await withTestDb(createRiskyCustomer);
    const ticket = await openTicket();
    await page.goto(`/accounts/${customer.id}?ticket=${encodeURIComponent(ticketUrl(ticket))}`);
    await expect(page.getByTestId("reset-panel")).toBeVisible();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await axeViolations(page, undefined, { minImpact: "moderate" })).toEqual([]);

    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toBeVisible();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(await axeViolations(page, "[role=dialog]", { minImpact: "moderate" })).toEqual([]);

    await dialog.getByRole("button", { name: "Add the erase-job scopes" }).click();
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await axeViolations(page, undefined, { minImpact: "moderate" })).toEqual([]);
  });

  test("shows when each key was last used, and what losing scopes means for a key in use", async ({ page, request }) => {
    const customer = await withTestDb(createRiskyCustomer);
    await page.goto(`/accounts/${customer.id}`);
    await expect(page.getByTestId("key-last-used")).toHaveText("never used");
    await expect(page.getByTestId("key-losses-warning").getByTestId("key-usage")).toContainText(
      "Never used, so losing scopes breaks nothing running today",
    );

    // The customer's integration calls the API with the key.
    const answer = await request.get("/v3/scopes", { headers: { authorization: `Bearer ${customer.key}` } });
    expect(answer.status()).toBe(200);
    // Written after the request (within a second), never on its path.
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("key-last-used")).toContainText("last used just now", { timeout: 500 });
    }).toPass({ timeout: 10_000 });
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(/Default scope set/).check();
    await expect(dialog.getByTestId("key-usage")).toHaveText("Used just now: in use now, so losing scopes breaks what it does.");
  });

  test("says in words when a reset gives a small set hundreds of scopes", async ({ page }) => {
    const customer = await withTestDb(createSmallCustomer);
    await page.goto(`/accounts/${customer.id}`);
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    await expect(page.getByRole("dialog").getByTestId("large-addition")).toContainText(
      /This gives the account \d+ scopes it does not have today, \d+ in all \(it has 3 now\): review the list\./,
    );
  });
});
