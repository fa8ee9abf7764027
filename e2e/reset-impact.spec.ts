import { expect, test } from "./fixtures";
import { openTicket, storageStateFor, ticketUrl } from "./support";

// Seeded fixtures this file changes (the test database is recreated for every run):
// 100001 legacy-acme and its legacy subusers 100002, 100003; 100012 legacy-keys, whose
// "Reporting – Legacy sender" key uses scopes a default reset removes.
test.describe("agent: a reset never hurts the customer", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("a subuser of a legacy parent says the parent must be reset first, and offers it", async ({ page }) => {
    await page.goto(`/accounts/100002?ticket=${encodeURIComponent(ticketUrl(4243))}`);
    await expect(page.getByTestId("parent-blocks-reset")).toContainText("The parent account must be reset first");
    await expect(page.getByTestId("verdict-parent")).toContainText("legacy-acme #100001");
    await expect(page.getByRole("button", { name: /Reset Scopes/ })).toHaveCount(0);
    await page.getByRole("link", { name: /Open the parent legacy-acme #100001/ }).click();
    await expect(page).toHaveURL(/\/accounts\/100001$/);
    await expect(page.getByTestId("current-ticket")).toHaveText("#4243");
  });

  test("a parent and its subusers are reset in one confirmation, with one summary", async ({ page }) => {
    await page.goto(`/accounts/100001?ticket=${encodeURIComponent(ticketUrl(4242))}`);
    await expect(page.getByTestId("subusers-lacking")).toContainText("2 subusers");
    await page.getByRole("button", { name: "Reset with subusers…" }).click();
    const dialog = page.getByRole("dialog", { name: /Reset legacy-acme #100001 and its subusers/ });
    await expect(dialog.getByText("legacy-acme-marketing")).toBeVisible();
    await expect(dialog.getByText("legacy-acme-eu")).toBeVisible();
    await dialog.getByRole("button", { name: "Reset the parent and 2 subusers" }).click();
    await expect(page).toHaveURL(/\/family-resets\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { name: "3 of 3 accounts reset" })).toBeVisible();
    await expect(page.getByTestId("family-member")).toHaveCount(3);
    await page.getByTestId("family-member").nth(1).getByRole("link", { name: "reset" }).click();
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");
    await expect(page.getByTestId("customer-reply")).toContainText("enabled on your subuser");
  });

  test("keys that would lose scopes are listed, must be acknowledged, or the minimal reset avoids it", async ({ page }) => {
    await page.goto(`/accounts/100012?ticket=${encodeURIComponent(ticketUrl(4254))}`);
    const warning = page.getByTestId("key-losses-warning");
    await expect(warning).toContainText("Legacy sender");
    await expect(warning).toContainText("email_activity.read, mail.legacy_smtp_api.send");
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Reset scopes" }).click();
    await expect(dialog.getByRole("alert")).toContainText("Confirm that you have read which existing keys lose which scopes");
    await expect(page).toHaveURL(/\/accounts\/100012/);

    await dialog.getByLabel(/Minimal/).check();
    await expect(dialog.getByTestId("plan-removed")).toContainText("none");
    await expect(dialog.getByTestId("dialog-key-impact")).toContainText("No existing key loses a scope");
    await dialog.getByRole("button", { name: "Add the erase-job scopes" }).click();
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");
    await expect(page.getByTestId("reset-outcome")).toContainText("Minimal");
    await expect(page.getByTestId("reset-impact")).toContainText("No existing key lost a scope");
  });

  test("an invalid deep link clears the ticket in context, and the dialog asks for one", async ({ page }) => {
    const ticket = await openTicket();
    await page.goto(`/accounts/100006?ticket=${encodeURIComponent(ticketUrl(ticket))}`);
    await expect(page.getByTestId("current-ticket")).toHaveText(`#${ticket}`);
    await page.goto(`/accounts/100006?ticket=${encodeURIComponent("https://acme.freshdesk.com/a/tickets/5555")}`);
    await expect(page.getByTestId("ticket-link-error")).toContainText("no ticket is in context now");
    await expect(page.getByTestId("current-ticket")).toHaveCount(0);
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    await expect(page.getByRole("dialog").getByLabel("Ticket (required)")).toBeVisible();
  });

  test("the nothing-to-do panel shows what a forced reset would add and remove", async ({ page }) => {
    await page.goto("/accounts/100011");
    // legacy-oddities has neither erase-job scope; the panel lists the removals either way.
    await expect(page.getByTestId("reset-panel").getByTestId("plan-removed")).toContainText("mail.legacy_smtp_api.send");
    await page.goto("/accounts/100009");
    const panel = page.getByTestId("reset-panel");
    await expect(panel).toContainText("nothing to do");
    await expect(panel.getByTestId("plan-added")).toBeVisible();
    await expect(panel.getByTestId("plan-removed")).toBeVisible();
  });
});
