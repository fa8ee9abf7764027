import { ADMIN_SCOPES, normalizeScopes } from "../lib/scopes/catalog";
import { scopeSetIdFor } from "../scripts/lib/seed/scope-set-row";
import { withTestDb } from "./db";
import { expect, test } from "./fixtures";
import { openTicket, storageStateFor, ticketUrl } from "./support";

/** A legacy parent with `count` subusers lacking the erase-job scopes, all sending mail only. */
async function createLargeFamily(count: number): Promise<{ id: number; username: string }> {
  return withTestDb(async (client) => {
    const id = 97_000_000 + Math.floor(Math.random() * 900) * 1000;
    const username = `family-${id}`;
    await client.query(
      `INSERT INTO account (id, username, email, company, signed_up_at, scope_set_id) VALUES ($1, $2, $3, 'Family Ltd', '2021-03-03T03:03:03Z', $4)`,
      [id, username, `${username}@family.example`, await scopeSetIdFor(client, normalizeScopes(ADMIN_SCOPES))],
    );
    const mailOnly = await scopeSetIdFor(client, ["mail.send"]);
    for (let i = 1; i <= count; i++) {
      await client.query(
        `INSERT INTO account (id, username, email, signed_up_at, parent_id, scope_set_id) VALUES ($1, $2, $3, '2021-03-03T03:03:03Z', $4, $5)`,
        [id + i, `${username}-sub-${i}`, `sub-${i}@family.example`, id, mailOnly],
      );
    }
    return { id, username };
  });
}

// Many subusers in one confirmation (decision 046): the dialog shows them as groups sharing a plan, not one row
// each, and the agent can still pick any of them.
test.describe("agent: a family of many subusers", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("the dialog groups 60 subusers in one line, lists them on demand, and resets the ones picked", async ({ page }) => {
    const family = await createLargeFamily(60);
    const ticket = await openTicket();
    await page.goto(`/accounts/${family.id}?ticket=${encodeURIComponent(ticketUrl(ticket))}`);
    await expect(page.getByTestId("subusers-lacking")).toContainText("60 subusers");
    await expect(page.getByTestId("subusers-lacking")).toContainText("and 10 more");
    await page.getByRole("button", { name: "Reset with subusers…" }).click();
    const dialog = page.getByRole("dialog");
    const groups = dialog.getByTestId("subuser-group");
    await expect(groups).toHaveCount(1);
    await expect(groups).toContainText("60 subusers");
    // Collapsed: no row per subuser until asked.
    await expect(dialog.getByText(`${family.username}-sub-7`, { exact: true })).toHaveCount(0);
    // 61 accounts need a lead's approval by default (APPROVAL_FAMILY_MAX_ACCOUNTS 5).
    await expect(dialog.getByRole("button", { name: "Request approval" })).toBeVisible();

    await groups.getByRole("checkbox", { name: "All 60 subusers of this group" }).uncheck();
    await groups.getByRole("button", { name: "List the 60 subusers" }).click();
    for (const n of [3, 7, 59]) {
      await groups
        .locator("li", { hasText: `${family.username}-sub-${n} #` })
        .getByRole("checkbox")
        .check();
    }
    await expect(groups).toContainText("(3 picked)");
    await dialog.getByRole("button", { name: "Reset the parent and 3 subusers" }).click();
    await expect(page).toHaveURL(/\/family-resets\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { name: "4 of 4 accounts reset" })).toBeVisible();
  });
});
