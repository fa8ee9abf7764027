import { createRiskyCustomer, setKeyScopes, withTestDb } from "./db";
import { expect, test } from "./fixtures";
import { axeViolations, openTicket, storageStateFor, ticketUrl } from "./support";

// Four eyes for risky resets (issue 22, decision 040). Each test makes its own account and ticket.
test.describe("approval of a risky reset", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("the agent asks, a lead approves in the queue, the agent sees it live and carries it out; the ticket reads every step", async ({
    page,
    browser,
  }) => {
    const customer = await withTestDb(createRiskyCustomer);
    const ticket = await openTicket({ requesterEmail: `${customer.username}@risky.example` });
    await page.goto(`/accounts/${customer.id}?ticket=${encodeURIComponent(ticketUrl(ticket))}`);
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    const dialog = page.getByRole("dialog");
    // Keys would lose scopes: the minimal reset comes first; the default one needs approval.
    await expect(dialog.getByLabel(/Minimal/)).toBeChecked();
    await expect(dialog.getByTestId("approval-needed")).toHaveCount(0);
    await dialog.getByLabel(/Default scope set/).check();
    await expect(dialog.getByTestId("approval-needed")).toContainText("Legacy sender");
    await dialog.getByRole("button", { name: "Request approval" }).click();
    await expect(dialog.getByRole("alert")).toContainText("Confirm that you have read which existing keys lose which scopes");
    await dialog.getByLabel(/I have read this list/).check();
    await dialog.getByRole("button", { name: "Request approval" }).click();
    await expect(dialog.getByRole("alert")).toContainText("This reset needs approval: write why");
    await dialog.getByLabel(/Reason/).fill("The customer retires the legacy sender this week and asked for the default set.");
    await dialog.getByRole("button", { name: "Request approval" }).click();

    await expect(page).toHaveURL(/\/approvals\/[0-9a-f-]{36}$/);
    const approvalUrl = page.url();
    await expect(page).toHaveTitle(`Approval: reset of ${customer.username} (#${customer.id}) · Scopedesk`);
    const state = page.getByTestId("approval-state");
    await expect(state).toHaveAttribute("data-state", "pending");
    await expect(page.getByTestId("approval-rules")).toContainText("Legacy sender");
    await expect(page.getByTestId("approval-reason")).toContainText("retires the legacy sender");
    // The requester cannot decide their own request.
    await expect(page.getByTestId("decision-form")).toHaveCount(0);
    expect(await axeViolations(page, undefined, { minImpact: "moderate" })).toEqual([]);

    const leadContext = await browser.newContext({ storageState: storageStateFor("lead") });
    const lead = await leadContext.newPage();
    await lead.goto("/approvals");
    await expect(lead).toHaveTitle("Approvals · Scopedesk");
    const card = lead.getByTestId("approval-card").filter({ hasText: `${customer.username} #${customer.id}` });
    await expect(card).toContainText("Legacy sender");
    await expect(card).toContainText("retires the legacy sender");
    expect(await axeViolations(lead, undefined, { minImpact: "moderate" })).toEqual([]);
    await card.getByLabel("Comment (required to deny)").fill("Checked with the customer by phone.");
    await card.getByRole("button", { name: "Approve" }).click();
    await expect(lead.getByTestId("approval-card").filter({ hasText: `${customer.username} #${customer.id}` })).toHaveAttribute(
      "data-state",
      "approved",
    );
    await leadContext.close();

    // The requester's page learns of it without a reload.
    await expect(state).toHaveAttribute("data-state", "approved", { timeout: 15_000 });
    await expect(state).toContainText("Approved by Lee Lead");
    await expect(state).toContainText("Checked with the customer by phone.");
    await page.getByRole("button", { name: "Execute the approved reset" }).click();
    await expect(page).toHaveURL(/\/scope-resets\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");
    await expect(page.getByTestId("reset-outcome")).toContainText("Default scope set");
    await expect(page.getByTestId("approval-link")).toContainText("approved by Lee Lead");
    await page.getByTestId("approval-link").getByRole("link").click();
    await expect(page).toHaveURL(approvalUrl);
    await expect(page.getByTestId("approval-state")).toHaveAttribute("data-state", "executed");

    // Every step's note, then the reset's own, reached the ticket once each.
    const zendesk = await page.context().newPage();
    const internal = zendesk.locator("li.internal");
    await expect(async () => {
      await zendesk.goto(`${process.env.DEV_ZENDESK_URL}/agent/tickets/${ticket}`);
      await expect(
        internal.filter({ hasText: `Reset of ${customer.username} (#${customer.id}) requested by Alex Agent: needs approval because` }),
      ).toHaveCount(1, { timeout: 1000 });
      await expect(internal.filter({ hasText: `Reset of ${customer.username} (#${customer.id}) approved by Lee Lead.` })).toHaveCount(1, {
        timeout: 1000,
      });
      await expect(internal.filter({ hasText: "approved by Lee Lead before the reset" })).toHaveCount(1, { timeout: 1000 });
    }).toPass({ timeout: 45_000 });
    await zendesk.close();
  });

  test("a key changed after the request voids it, and the requester's page says what changed, live", async ({ page, browser }) => {
    const customer = await withTestDb(createRiskyCustomer);
    const ticket = await openTicket();
    await page.goto(`/accounts/${customer.id}?ticket=${encodeURIComponent(ticketUrl(ticket))}`);
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(/Default scope set/).check();
    await dialog.getByLabel(/I have read this list/).check();
    await dialog.getByLabel(/Reason/).fill("Default set on request.");
    await dialog.getByRole("button", { name: "Request approval" }).click();
    await expect(page).toHaveURL(/\/approvals\/[0-9a-f-]{36}$/);
    const state = page.getByTestId("approval-state");
    await expect(state).toHaveAttribute("data-state", "pending");

    await withTestDb((client) => setKeyScopes(client, customer.keyId, ["mail.send"]));
    await expect(state).toHaveAttribute("data-state", "voided", { timeout: 15_000 });
    await expect(page.getByTestId("approval-changes")).toContainText(
      `Key 'Legacy sender' (${customer.keyId}) now has email_activity.read, mail.legacy_smtp_api.send removed.`,
    );

    // A lead cannot approve it any more: the queue's decision is refused with what changed.
    const leadContext = await browser.newContext({ storageState: storageStateFor("lead") });
    const lead = await leadContext.newPage();
    await lead.goto(page.url());
    await expect(lead.getByTestId("approval-state")).toHaveAttribute("data-state", "voided");
    await expect(lead.getByTestId("decision-form")).toHaveCount(0);
    await leadContext.close();
  });
});
