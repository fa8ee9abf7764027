import { createLegacyCustomer, createModernCustomerWithOldKey, withTestDb } from "./db";
import { expect, test } from "./fixtures";
import { openTicket, storageStateFor, ticketUrl } from "./support";

/** The ticket as the development Zendesk shows it to agents: its status and its public replies. */
async function zendeskTicket(page: import("@playwright/test").Page, ticketId: number) {
  // The conversation without the Scopedesk app beside it: these tests reload it often, and each load of the app is a signed, single-use form.
  await page.goto(`${process.env.DEV_ZENDESK_URL}/agent/tickets/${ticketId}?frame=conversation`);
  return { status: page.locator("dt:has-text('Status') + dd"), replies: page.locator("li.public") };
}

// The reply to the customer (issue 20): what the agent edits is what is copied and sent, with the status they pick,
// and what reached the ticket is what the result page shows.
test.describe("agent: the reply to the customer", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("copies what is in the editor, sends it with the ticket set to pending, and shows the text sent", async ({ page, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const customer = await withTestDb((db) => createLegacyCustomer(db, []));
    const ticket = await openTicket({ requesterEmail: `${customer.username}@story.example` });
    await page.goto(`/accounts/${customer.id}?ticket=${encodeURIComponent(ticketUrl(ticket))}`);
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Reset scopes" }).click();
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");

    const editor = page.getByTestId("customer-reply");
    await expect(editor).toHaveValue(/^Hello,\n\nThe erase-job scopes of the Recipients' Data Erasure API/);
    await expect(editor).toHaveValue(/- production key \(ID: /);
    await expect(editor).toHaveValue(/\nKind regards,\nAlex Agent$/);
    await expect(editor).not.toHaveValue(/scopedesk/i);
    const edited = (await editor.inputValue()).replace("Hello,", `Hello ${customer.username} team,`);
    await editor.fill(edited);
    await page.getByRole("button", { name: "Copy reply" }).click();
    await expect(page.getByText("Copied")).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(edited);

    await page.getByTestId("reply-ticket-status").selectOption("pending");
    await page.getByRole("button", { name: "Send to the customer…" }).click();
    await expect(page.getByRole("alertdialog")).toContainText(`public comment on ticket #${ticket}, and set the ticket to pending?`);
    await page.getByRole("button", { name: "Yes, send it" }).click();

    // The worker beside the app posts it; the result page then shows the text that reached the ticket.
    const sent = page.getByTestId("sent-reply");
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("sent-reply-block")).toContainText("Sent to the customer", { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await expect(sent).toHaveText(edited);
    await expect(page.getByTestId("sent-reply-block")).toContainText("The ticket is set to pending with it.");
    await expect(page.getByTestId("customer-reply")).toHaveCount(0);

    const zendesk = await zendeskTicket(await context.newPage(), ticket);
    await expect(zendesk.status).toHaveText("pending");
    await expect(zendesk.replies).toHaveCount(2);
    await expect(zendesk.replies.nth(1)).toContainText(`Hello ${customer.username} team,`);
    await expect(zendesk.replies.nth(1)).toContainText("Alex Agent");
  });

  test("nothing to reset: sends the new-key reply from the account page, without a reset, and solves the ticket", async ({
    page,
    context,
  }) => {
    const customer = await withTestDb((db) => createModernCustomerWithOldKey(db));
    const ticket = await openTicket({ requesterEmail: `${customer.username}@modern.example` });
    await page.goto(`/accounts/${customer.id}?ticket=${encodeURIComponent(ticketUrl(ticket))}`);
    const panel = page.getByTestId("new-key-reply");
    await expect(panel).toContainText("Nothing to reset: reply that the customer needs a new key");
    const editor = panel.getByTestId("customer-reply");
    await expect(editor).toHaveValue(new RegExp(`Your account ${customer.username} already has the erase-job scopes`));
    await expect(editor).toHaveValue(new RegExp(`- mail only key \\(ID: ${customer.keyId}\\)`));
    await panel.getByTestId("reply-ticket-status").selectOption("solved");
    await panel.getByRole("button", { name: "Send to the customer…" }).click();
    await panel.getByRole("button", { name: "Yes, send it" }).click();
    await expect(panel.getByTestId("sent-reply-block")).toBeVisible();
    await expect(panel.getByTestId("sent-reply")).toContainText(`Your account ${customer.username} already has the erase-job scopes`);
    await expect(page.getByTestId("reset-history-row")).toHaveCount(0);

    const zendesk = await zendeskTicket(await context.newPage(), ticket);
    await expect(async () => {
      await zendesk.status.page().reload();
      await expect(zendesk.status).toHaveText("solved", { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await expect(zendesk.replies.filter({ hasText: "already has the erase-job scopes" })).toHaveCount(1);

    // The ticket's page lists it with what Scopedesk posted.
    await page.goto(`/tickets/${ticket}`);
    await expect(page.getByTestId("helpdesk-ticket").getByTestId("delivery-row").filter({ hasText: "Customer reply" })).toHaveAttribute(
      "data-status",
      "delivered",
    );
  });
});
