import { expect, test } from "./fixtures";
import { storageStateFor } from "./support";

// From the ticket's deep link to the notes in the (development) Zendesk ticket. Changes fixture
// 100010 partial-scopes, whose seeded ticket #4251 comes from ops@partial.example.
test.describe("agent: the helpdesk sees what Scopedesk records", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("opens the ticket, is led to the requester's account, resets it, and both notes and the reply arrive in the ticket", async ({
    page,
  }) => {
    await page.goto("/tickets/4251");
    const helpdesk = page.getByTestId("helpdesk-ticket");
    await expect(helpdesk.getByTestId("ticket-subject")).toHaveText("Can create erase jobs but not read them");
    await expect(helpdesk.getByTestId("ticket-requester")).toContainText("ops@partial.example");
    await helpdesk.getByRole("link", { name: "partial-scopes #100010" }).click();

    await expect(page).toHaveURL(/\/accounts\/100010\?ticket=4251$/);
    await expect(page.getByTestId("current-ticket")).toHaveText("#4251");
    await expect(page.getByTestId("ticket-summary")).toContainText("Paula Partial");
    await expect(page.getByTestId("requester-warning")).toHaveCount(0);
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Reset scopes" }).click();
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");

    // The worker beside the app posts both notes; the result page follows their state.
    const notes = page.getByTestId("helpdesk-status").getByTestId("delivery-row");
    await expect(async () => {
      await page.reload();
      await expect(notes.nth(0)).toHaveAttribute("data-status", "delivered", { timeout: 1000 });
      await expect(notes.nth(1)).toHaveAttribute("data-status", "delivered", { timeout: 1000 });
    }).toPass({ timeout: 30_000 });

    // The customer reply goes only when the agent sends it, after confirming.
    await page.getByRole("button", { name: "Send to the customer…" }).click();
    await page.getByRole("button", { name: "Yes, send it" }).click();
    await expect(page.getByTestId("delivery-row").filter({ hasText: "Customer reply" })).toBeVisible();

    // In the helpdesk ticket: note 1 and note 2 as internal notes, then the reply as a public one.
    const zendesk = await page.context().newPage();
    await expect(async () => {
      await zendesk.goto(`${process.env.DEV_ZENDESK_URL}/agent/tickets/4251?frame=conversation`);
      await expect(
        zendesk.locator("li.public").filter({ hasText: "The erase-job scopes of the Recipients' Data Erasure API" }),
      ).toHaveCount(1, {
        timeout: 1000,
      });
    }).toPass({ timeout: 30_000 });
    const internal = zendesk.locator("li.internal");
    await expect(internal.filter({ hasText: "Scopes BEFORE reset — partial-scopes (#100010)" })).toHaveCount(1);
    await expect(internal.filter({ hasText: "Scopes AFTER reset — partial-scopes (#100010)" })).toHaveCount(1);

    // The audit shows the same deliveries, each with its Zendesk comment, and their events in the chain.
    const resetId = new URL(page.url()).pathname.split("/").pop()!;
    const deliveries = page.getByRole("region", { name: "Into the helpdesk" });
    const delivered = deliveries.locator('[data-testid="delivery-row"][data-status="delivered"]');
    // The reply's "delivered" is recorded just after Zendesk answers: the page may be a moment early.
    await expect(async () => {
      await page.goto(`/audit/resets/${resetId}`);
      await expect(delivered).toHaveCount(3, { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await expect(deliveries.getByTestId("delivery-row")).toHaveCount(3);
    await expect(delivered.first()).toContainText(/as comment \d+/);
    const log = page.getByRole("region", { name: "Audit log" });
    await expect(log.getByText("helpdesk.note_delivered")).toHaveCount(2);
    await expect(log.getByText("helpdesk.reply_requested")).toHaveCount(1);
    await expect(log.getByText("helpdesk.reply_delivered")).toHaveCount(1);
  });
});
