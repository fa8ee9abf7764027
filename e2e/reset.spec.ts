import { expect, test } from "./fixtures";
import { axeViolations, openTicket, storageStateFor, ticketUrl } from "./support";

// Seeded fixtures this file may change (the test database is recreated for every run):
// 100006 cutoff-minus-1s (pre-cutoff, lacks the erase-job scopes), 100007 cutoff-plus-1s (has them).

test.describe("agent", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("arrives from a Zendesk ticket link, resets the scopes and gets notes and a customer reply", async ({ page, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const ticket = await openTicket({ requesterEmail: "before@cutoff.example" });
    await page.goto("/accounts/100006?ticket=" + encodeURIComponent(ticketUrl(ticket)));
    await expect(page.getByTestId("current-ticket")).toHaveText(`#${ticket}`);
    await expect(page.getByTestId("current-ticket")).toHaveAttribute("href", ticketUrl(ticket));
    await expect(page.getByTestId("verdict")).toContainText(/missing/i);

    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    const dialog = page.getByRole("dialog", { name: /reset scopes of cutoff-minus-1s #100006/i });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId("dialog-ticket")).toHaveText(`#${ticket}`);
    await expect(dialog.getByTestId("plan-added")).toContainText("recipients.erasejob.create");
    await expect(dialog.getByTestId("plan-added")).toContainText("recipients.erasejob.read");
    await expect(dialog.getByTestId("erase-job-after")).toContainText("both present");
    expect(await axeViolations(page, "[role=dialog]")).toEqual([]);
    await dialog.getByRole("button", { name: "Reset scopes" }).click();

    await expect(page).toHaveURL(/\/scope-resets\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");
    await expect(page.getByTestId("diff-added")).toContainText("recipients.erasejob.read");
    await expect(page.getByTestId("customer-reply")).toHaveValue(/create a new API key/);
    await page.getByRole("button", { name: "Copy reply" }).click();
    await expect(page.getByText("Copied")).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("An API key keeps the scopes it was created with");
    expect(await axeViolations(page)).toEqual([]);

    // The ticket's record: the reset, then note 1, note 2 and the admin note, oldest first.
    await page.getByRole("link", { name: "Ticket note 1 (scopes before)" }).click();
    await expect(page).toHaveURL(new RegExp(`/tickets/${ticket}#note-`));
    const notes = page.getByRole("article");
    await expect(notes).toHaveCount(3);
    await expect(notes.nth(0)).toContainText("Scopes BEFORE reset — cutoff-minus-1s (#100006)");
    await expect(notes.nth(1)).toContainText("Scopes AFTER reset");
    await expect(notes.nth(2)).toContainText("must create new API keys");
    await expect(page.getByTestId("ticket-reset")).toContainText("Scope reset succeeded");

    // The account now has the scopes, the reset in its history and the admin note.
    await page.goto("/accounts/100006");
    await expect(page.getByTestId("verdict")).not.toContainText(/missing/);
    await expect(page.getByTestId("reset-history-row")).toHaveCount(1);
    await expect(page.getByTestId("reset-history-row")).toContainText("succeeded");
    await expect(page.getByRole("article", { name: "Admin note" })).toContainText(ticketUrl(ticket));
    // The ticket stayed in context while navigating.
    await expect(page.getByTestId("current-ticket")).toHaveText(`#${ticket}`);
  });

  test("without a ticket the reset asks for one, and nothing to do needs a reason", async ({ page }) => {
    const ticket = await openTicket({ requesterEmail: "after@cutoff.example" });
    await page.goto("/lookup?q=cutoff-plus-1s");
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    await page.getByRole("link", { name: "cutoff-plus-1s" }).first().click();
    await expect(page).toHaveURL(/\/accounts\/100007$/);
    await expect(page.getByTestId("reset-panel")).toContainText("nothing to do");

    await page.getByRole("button", { name: "Reset anyway…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Ticket (required)").fill("https://example.com/agent/tickets/5");
    await dialog.getByRole("button", { name: "Reset scopes" }).click();
    await expect(dialog.getByRole("alert")).toContainText("not on this console's helpdesk");

    await dialog.getByLabel("Ticket (required)").fill(`#${ticket}`);
    await dialog.getByRole("button", { name: "Reset scopes" }).click();
    await expect(dialog.getByRole("alert")).toContainText("write why you reset anyway");

    await dialog.getByLabel(/Reason/).fill("Customer still gets 403 with a new key; resetting to the default set.");
    await dialog.getByRole("button", { name: "Reset scopes" }).click();
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");
    await expect(page.getByTestId("reset-outcome")).toContainText("Customer still gets 403");
    await expect(page.getByTestId("current-ticket")).toHaveText(`#${ticket}`);
  });

  test("an invalid ticket in a deep link is reported and not used", async ({ page }) => {
    await page.goto("/lookup?q=legacy&ticket=" + encodeURIComponent("https://zendesk.com.evil.example/agent/tickets/1"));
    await expect(page.getByTestId("ticket-link-error")).toContainText("was not used");
    await expect(page.getByTestId("current-ticket")).toHaveCount(0);
  });
});

test.describe("viewer", () => {
  test.use({ storageState: storageStateFor("viewer") });

  test("sees the plan but cannot reset", async ({ page }) => {
    await page.goto("/accounts/100001");
    await expect(page.getByTestId("reset-panel")).toContainText("Your role (viewer) cannot reset scopes.");
    await expect(page.getByRole("button", { name: /Reset Scopes/ })).toHaveCount(0);
  });
});
