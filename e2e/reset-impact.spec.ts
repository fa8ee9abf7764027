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

  test("a parent and its subusers are reset in one confirmation, with one summary, one note pair in the ticket and one reply", async ({
    page,
  }) => {
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
    const familyUrl = page.url();
    // One reply for the whole family, true now: the subusers reset by the same confirmation are enabled, none left lacking.
    const reply = page.getByTestId("customer-reply");
    await expect(reply).toHaveValue(/enabled on your account legacy-acme and its subusers legacy-acme-marketing and legacy-acme-eu\./);
    await expect(reply).not.toHaveValue(/do not have the erase-job scopes yet/);

    // One pair of internal notes for the three accounts, delivered by the worker into ticket #4242.
    const notes = page.getByTestId("helpdesk-status").getByTestId("delivery-row");
    await expect(async () => {
      await page.reload();
      await expect(notes).toHaveCount(2, { timeout: 1000 });
      await expect(notes.nth(0)).toHaveAttribute("data-status", "delivered", { timeout: 1000 });
      await expect(notes.nth(1)).toHaveAttribute("data-status", "delivered", { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    const zendesk = await page.context().newPage();
    await zendesk.goto(`${process.env.DEV_ZENDESK_URL}/agent/tickets/4242?frame=conversation`);
    const internal = zendesk.locator("li.internal");
    await expect(internal.filter({ hasText: "Scopes BEFORE family reset — legacy-acme (#100001) and 2 subusers" })).toHaveCount(1);
    await expect(internal.filter({ hasText: "Scopes AFTER family reset — legacy-acme (#100001) and 2 subusers" })).toHaveCount(1);
    await expect(internal.filter({ hasText: "Every subuser of the parent now has the erase-job scopes." })).toHaveCount(1);
    // No note per account (other tests' resets may have notes in this ticket too).
    for (const account of ["legacy-acme (#100001)", "legacy-acme-marketing (#100002)", "legacy-acme-eu (#100003)"]) {
      await expect(internal.filter({ hasText: `Scopes AFTER reset — ${account}` })).toHaveCount(0);
    }
    await zendesk.close();

    await page.goto(familyUrl);
    await page.getByTestId("family-member").nth(1).getByRole("link", { name: "reset" }).click();
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");
    await expect(page.getByRole("region", { name: "Reply to the customer" })).toContainText("one reply for all of them");
  });

  test("keys that would lose scopes are listed, must be acknowledged, or the minimal reset avoids it", async ({ page }) => {
    await page.goto(`/accounts/100012?ticket=${encodeURIComponent(ticketUrl(4254))}`);
    const warning = page.getByTestId("key-losses-warning");
    await expect(warning).toContainText("Legacy sender");
    await expect(warning).toContainText("email_activity.read, mail.legacy_smtp_api.send");
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    const dialog = page.getByRole("dialog");
    // The minimal reset is pre-selected when keys would lose scopes (issue 22); the default one must be chosen on purpose.
    await expect(dialog.getByLabel(/Minimal/)).toBeChecked();
    await dialog.getByLabel(/Default scope set/).check();
    await dialog.getByRole("button", { name: "Request approval" }).click();
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
