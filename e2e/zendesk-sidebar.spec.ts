import type { Page } from "@playwright/test";
import { createLegacyCustomer, withTestDb } from "./db";
import { expect, test } from "./fixtures";
import { axeViolations, openTicket } from "./support";

/**
 * Scopedesk inside Zendesk (decision 030): the development Zendesk's ticket
 * page signs the app's first load as Zendesk does and shows Scopedesk in its
 * sidebar iframe. No console session here (a fresh browser context): the
 * sidebar's own session does everything, with the console's dialog,
 * endpoints and permissions.
 */
const ZENDESK = process.env.DEV_ZENDESK_URL!;

/** Counts the person's clicks in the page and every frame in it (trusted events only, whatever the test helpers do). */
async function countClicks(page: Page): Promise<() => Promise<number>> {
  await page.addInitScript(() => {
    const counted = window as unknown as { __clicks?: number };
    counted.__clicks = 0;
    document.addEventListener(
      "click",
      (event) => {
        if (event.isTrusted) counted.__clicks = (counted.__clicks ?? 0) + 1;
      },
      true,
    );
  });
  return async () => {
    let total = 0;
    for (const frame of page.frames())
      total += await frame.evaluate(() => (window as unknown as { __clicks?: number }).__clicks ?? 0).catch(() => 0);
    return total;
  };
}

test.describe("the Scopedesk app in the Zendesk ticket sidebar", () => {
  test("takes the agent from the open ticket to a verified reset in two clicks, and both notes arrive in that ticket", async ({ page }) => {
    const customer = await withTestDb((client) => createLegacyCustomer(client, []));
    const ticket = await openTicket({ requesterEmail: `${customer.username}@story.example` });
    const clicks = await countClicks(page);

    await page.goto(`${ZENDESK}/agent/tickets/${ticket}`);
    const app = page.frameLocator("#scopedesk-app");
    await expect(app.getByTestId("sidebar-staff")).toContainText("Alex Agent");
    await expect(app.getByTestId("sidebar-account")).toContainText(`${customer.username} #${customer.id}`);
    await expect(app.getByTestId("verdict")).toContainText("Erase-job scopes missing: reset needed");
    await expect(app.getByTestId("reset-panel")).toContainText("A reset sets the default scopes");

    await app.getByRole("button", { name: "Reset Scopes…" }).click();
    await app.getByRole("dialog").getByRole("button", { name: "Reset scopes" }).click();
    await expect(app.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");
    expect(await clicks(), "clicks from the open ticket to a verified reset").toBe(2);

    // The worker posts both notes; the ticket's conversation beside the app refreshes every 5 s.
    const internal = page.locator("[data-conversation] li.internal");
    await expect(internal.filter({ hasText: `Scopes BEFORE reset — ${customer.username} (#${customer.id})` })).toHaveCount(1, {
      timeout: 30_000,
    });
    await expect(internal.filter({ hasText: `Scopes AFTER reset — ${customer.username} (#${customer.id})` })).toHaveCount(1, {
      timeout: 30_000,
    });
    // And the sidebar follows their delivery.
    const rows = app.getByTestId("helpdesk-status").getByTestId("delivery-row");
    await expect(rows.nth(0)).toHaveAttribute("data-status", "delivered", { timeout: 30_000 });
    await expect(rows.nth(1)).toHaveAttribute("data-status", "delivered", { timeout: 30_000 });

    // The full console is one link away, in a new tab (it asks for its own sign-in).
    await app.getByRole("button", { name: "Back to the account" }).click();
    const [consoleTab] = await Promise.all([page.context().waitForEvent("page"), app.getByTestId("open-console").click()]);
    await expect(consoleTab).toHaveURL(/\/signin\?callbackUrl=/);
    expect(decodeURIComponent(consoleTab.url())).toContain(`/accounts/${customer.id}?ticket=${ticket}`);
  });

  test("shows a viewer the account and the verdict, without Reset Scopes", async ({ page }) => {
    const customer = await withTestDb((client) => createLegacyCustomer(client, []));
    const ticket = await openTicket({ requesterEmail: `${customer.username}@story.example` });
    await page.goto(`${ZENDESK}/agent/tickets/${ticket}?as=viewer@scopedesk.test`);
    const app = page.frameLocator("#scopedesk-app");
    await expect(app.getByTestId("sidebar-staff")).toContainText("viewer");
    await expect(app.getByTestId("verdict")).toContainText("reset needed");
    await expect(app.getByText("Your role (viewer) cannot reset scopes.")).toBeVisible();
    await expect(app.getByRole("button", { name: "Reset Scopes…" })).toHaveCount(0);
    expect(await axeViolations(page, "#scopedesk-app")).toEqual([]);
  });

  test("lets the agent find and pick the account in the sidebar when no account has the requester's e-mail", async ({ page }) => {
    // The customer writes from another address of the company's domain.
    const customer = await withTestDb(async (client) => {
      const created = await createLegacyCustomer(client, []);
      await client.query(`UPDATE account SET email = $1, company = $2 WHERE id = $3`, [
        `owner@acme-${created.id}.example`,
        `Acme ${created.id} Holdings`,
        created.id,
      ]);
      return created;
    });
    const ticket = await openTicket({ requesterEmail: `billing@acme-${customer.id}.example` });

    await page.goto(`${ZENDESK}/agent/tickets/${ticket}`);
    const app = page.frameLocator("#scopedesk-app");
    await expect(app.getByTestId("sidebar-no-account")).toContainText("No account or subuser has the requester's e-mail");
    const lookup = app.getByTestId("sidebar-lookup");
    // It starts with the requester's e-mail domain, as the console's lookup takes it.
    await expect(lookup.getByRole("searchbox")).toHaveValue(`acme-${customer.id}.example`);
    const match = lookup.getByTestId("sidebar-lookup-result").filter({ hasText: `${customer.username} #${customer.id}` });
    await expect(match).toContainText("e-mail domain");
    expect(await axeViolations(page, "#scopedesk-app")).toEqual([]);
    await match.click();
    await expect(app.getByTestId("sidebar-account")).toContainText(`${customer.username} #${customer.id}`);
    await expect(app.getByTestId("verdict")).toContainText("reset needed");
    await expect(app.getByTestId("sidebar-picked")).toContainText("Picked from the lookup");
    await expect(app.getByRole("button", { name: "Reset Scopes…" })).toBeVisible();

    // Another search, by the company's name, without leaving Zendesk.
    await app.getByRole("button", { name: "Find another account" }).click();
    await lookup.getByRole("searchbox").fill(`Acme ${customer.id}`);
    await lookup.getByRole("button", { name: "Search" }).click();
    await expect(lookup.getByTestId("sidebar-lookup-result").filter({ hasText: `${customer.username} #${customer.id}` })).toContainText(
      "company name",
    );
    await lookup.getByRole("searchbox").fill(`nobody-${customer.id}.invalid`);
    await lookup.getByRole("button", { name: "Search" }).click();
    await expect(app.getByTestId("sidebar-lookup-none")).toContainText(`No account matches “nobody-${customer.id}.invalid”`);
    // Still the ticket's page in Zendesk: nothing navigated away.
    expect(page.url()).toBe(`${ZENDESK}/agent/tickets/${ticket}`);
  });

  test("refuses an agent who is no Scopedesk staff member, with a page saying so and no data", async ({ page, expectErrors }) => {
    expectErrors(/^HTTP 403 POST \S+\/api\/zendesk-app\/sidebar\?/);
    const email = `outsider-${Date.now()}@scopedesk.test`;
    const added = await fetch(`${ZENDESK}/__dev/app/agents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, name: "Otto Outsider" }),
    });
    expect(added.status).toBe(201);
    await page.goto(`${ZENDESK}/agent/tickets/4242?as=${encodeURIComponent(email)}`);
    const app = page.frameLocator("#scopedesk-app");
    await expect(app.getByRole("heading", { name: "Scopedesk cannot open here" })).toBeVisible();
    await expect(app.getByRole("alert")).toContainText(`No Scopedesk staff member has the e-mail ${email}`);
    await expect(app.getByTestId("verdict")).toHaveCount(0);
  });
});
