import { expect, test } from "./fixtures";
import { signInThroughIdp, storageStateFor } from "./support";

/**
 * Issue 13, the pages' Content-Security-Policy in Chromium. Every other spec
 * runs under it too, and the error guard fails any of them on a violation;
 * these show that it is enforced and that signing in still works with
 * form-action 'self'.
 */
test("signing in through the development IdP works under the policy, and so does signing out", async ({ page }) => {
  const signin = await page.goto("/signin");
  const policy = signin!.headers()["content-security-policy"];
  expect(policy).toContain("form-action 'self'");
  expect(policy).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  await signInThroughIdp(page, "agent@scopedesk.test");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
});

test.describe("agent", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("an injected inline handler does not run, and says why", async ({ page, expectErrors }) => {
    expectErrors(
      /^console error: Executing inline event handler violates the following Content Security Policy directive 'script-src 'self' 'nonce-[^']+' 'strict-dynamic''\. .* The action has been blocked\.$/,
    );
    await page.goto("/lookup?q=legacy");
    await expect(page.getByRole("heading", { name: "Find an account" })).toBeVisible();
    await page.evaluate(() => {
      document.body.insertAdjacentHTML("beforeend", `<img alt="" src="data:," onerror="window.__injected = true">`);
    });
    await expect.poll(() => page.evaluate(() => document.querySelector("img[onerror]") !== null)).toBe(true);
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  });
});
