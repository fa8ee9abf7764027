import { createLegacyCustomer, withTestDb } from "./db";
import { expect, test } from "./fixtures";
import { openTicket, storageStateFor, ticketUrl } from "./support";

async function closeTicket(ticketId: number): Promise<void> {
  const response = await fetch(`${process.env.DEV_ZENDESK_URL}/__dev/tickets/${ticketId}/status`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ status: "closed" }),
  });
  expect(response.status).toBeLessThan(300);
}

// The reply panel says why a reply cannot be sent, as the server knows it, and offers no second, contradicting
// reply on a ticket that has one (decision 045).
test.describe("agent: one true reply per ticket", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("a closed ticket: the panel says so and offers Copy, not Send", async ({ page }) => {
    const customer = await withTestDb((db) => createLegacyCustomer(db, []));
    const ticket = await openTicket({ requesterEmail: `${customer.username}@story.example` });
    await closeTicket(ticket);
    await page.goto(`/accounts/${customer.id}?ticket=${encodeURIComponent(ticketUrl(ticket))}`);
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Reset scopes" }).click();
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");

    const sender = page.getByTestId("reply-sender");
    await expect(sender.getByTestId("reply-cannot-send")).toHaveText(
      `Ticket #${ticket} is closed, and Zendesk accepts no more comments on a closed ticket: copy the reply into a follow-up ticket.`,
    );
    await expect(sender.getByRole("button", { name: "Send to the customer…" })).toHaveCount(0);
    await expect(sender.getByRole("button", { name: "Copy reply" })).toBeVisible();
  });

  test("after the reset's reply is sent, the account page offers no 'nothing needed to change' reply on that ticket", async ({ page }) => {
    const customer = await withTestDb((db) => createLegacyCustomer(db, []));
    const ticket = await openTicket({ requesterEmail: `${customer.username}@story.example` });
    await page.goto(`/accounts/${customer.id}?ticket=${encodeURIComponent(ticketUrl(ticket))}`);
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Reset scopes" }).click();
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");
    await page.getByRole("button", { name: "Send to the customer…" }).click();
    await page.getByRole("button", { name: "Yes, send it" }).click();
    // Recorded (queued for the worker) before the page is left.
    await expect(page.getByTestId("delivery-row").filter({ hasText: "Customer reply" })).toBeVisible();

    await page.goto(`/accounts/${customer.id}?ticket=${encodeURIComponent(ticketUrl(ticket))}`);
    const panel = page.getByTestId("new-key-reply");
    await expect(panel.getByTestId("other-reply")).toContainText("The reply of a scope reset");
    await expect(panel.getByTestId("other-reply")).toContainText("The erase-job scopes of the Recipients' Data Erasure API");
    await expect(panel.getByTestId("reply-blocked")).toContainText(`A reply about this account is already on ticket #${ticket}`);
    await expect(panel.getByTestId("customer-reply")).toHaveCount(0);
  });
});
