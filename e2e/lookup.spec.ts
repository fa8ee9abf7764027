import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { axeViolations, storageStateFor } from "./support";

async function expectNoSeriousA11yViolations(page: Page) {
  expect(await axeViolations(page)).toEqual([]);
}

test.describe("signed out", () => {
  test("a visitor is sent to sign in", async ({ page }) => {
    await page.goto("/accounts/100001");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Faccounts%2F100001/);
    await expect(page.getByRole("button", { name: /sign in with/i })).toBeVisible();
  });

  test("pages name the console's icon and it is served, favicon.ico too", async ({ page, request }) => {
    await page.goto("/signin");
    await expect(page.locator('link[rel="icon"]')).toHaveCount(2);
    for (const [path, type] of [
      ["/icon.svg", "image/svg+xml"],
      ["/favicon.ico", "image/x-icon"],
    ] as const) {
      const response = await request.get(path);
      expect(response.status(), path).toBe(200);
      expect(response.headers()["content-type"], path).toBe(type);
    }
  });
});

test.describe("agent", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("finds a pre-cutoff account by e-mail and sees both erase-job scopes missing", async ({ page }) => {
    await page.goto("/");
    const box = page.getByRole("combobox", { name: /find an account/i });
    await expect(box).toHaveAttribute("data-shortcut-ready");
    await page.keyboard.press("/");
    await expect(box).toBeFocused();
    await box.fill("ops@acme-legacy.example");
    await page
      .getByRole("option", { name: /legacy-acme/ })
      .first()
      .click();

    await expect(page).toHaveURL(/\/accounts\/100001$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("legacy-acme");
    const verdict = page.getByTestId("verdict");
    await expect(verdict.getByRole("heading")).toHaveText(/missing: reset needed/i);
    const eraseJob = verdict.getByRole("list", { name: "Erase-job scopes" });
    await expect(eraseJob.getByRole("listitem").filter({ hasText: "recipients.erasejob.read" })).toContainText("missing");
    await expect(eraseJob.getByRole("listitem").filter({ hasText: "recipients.erasejob.create" })).toContainText("missing");
    await expect(page.getByTestId("cutoff-side")).toHaveText(/before the cutoff/i);
    await expect(verdict).toContainText("2023-07-25");
    await expectNoSeriousA11yViolations(page);
  });

  test("keeps every keystroke typed without pause on a slow machine and opens the account", async ({ page }) => {
    const email = "ops@acme-legacy.example";
    await page.goto("/");
    const box = page.getByRole("combobox", { name: /find an account/i });
    await expect(box).toHaveAttribute("data-shortcut-ready");
    // A slow CPU makes renders lag behind the keys, which is when characters used to be dropped.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 6 });
    await page.keyboard.press("/");
    await expect(box).toBeFocused();
    await page.keyboard.type(email);
    await expect(box).toHaveValue(email);
    await expect(page.getByRole("option", { name: /legacy-acme/ }).first()).toBeVisible();
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });

    // Nothing highlighted: Enter opens the results page for exactly what was typed.
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(`/lookup?q=${encodeURIComponent(email)}`);
    const row = page.getByTestId("lookup-row").first();
    await expect(row).toContainText("exact e-mail");
    await row.getByRole("link", { name: "legacy-acme" }).click();
    await expect(page).toHaveURL(/\/accounts\/100001$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("legacy-acme");
  });

  test("a post-cutoff account shows both scopes present", async ({ page }) => {
    await page.goto("/accounts/100004");
    const verdict = page.getByTestId("verdict");
    await expect(verdict.getByRole("heading")).toHaveText(/present: nothing to do/i);
    await expect(verdict.getByRole("listitem").filter({ hasText: "recipients.erasejob.create" })).toContainText("present");
    await expect(page.getByTestId("cutoff-side")).toHaveText(/on or after the cutoff/i);
  });

  test("the scope filter narrows the grouped scopes and unknown scopes are listed apart", async ({ page }) => {
    await page.goto("/accounts/100011");
    await expect(page.getByTestId("unknown-scopes")).toContainText("mail.legacy_smtp_api.send");
    await page.getByLabel("Filter scopes").fill("mail_settings.footer");
    await expect(page.getByText(/4 of \d+ scopes match/)).toBeVisible();
  });

  test("the lookup page lists ranked results and passes an accessibility scan", async ({ page }) => {
    await page.goto("/lookup?q=legacy-acme");
    const rows = page.getByTestId("lookup-row");
    await expect(rows.first()).toContainText("legacy-acme");
    await expect(rows.first()).toContainText("exact username");
    await expectNoSeriousA11yViolations(page);
  });

  test("an unknown account id shows a not-found page", async ({ page, expectErrors }) => {
    expectErrors(/^HTTP 404 GET \S+\/accounts\/2147483000$/);
    const response = await page.goto("/accounts/2147483000");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  });
});
