import { expect, test } from "@playwright/test";
import { signInThroughIdp } from "./support";

/** Issue 13 in the browser that followed the open redirect: sign-in lands only on the console's own paths, and sign-out ends the session. */
test("a crafted sign-in link cannot send Chromium off-site", async ({ page, baseURL }) => {
  await page.goto("/signin?callbackUrl=/%09/evil.example/phish");
  await signInThroughIdp(page, "agent@scopedesk.test");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  const landed = new URL(page.url());
  expect(landed.origin).toBe(new URL(baseURL!).origin);
  expect(landed.pathname).toBe("/");
});

test("after signing out, the old session cookie opens nothing", async ({ page, context }) => {
  await page.goto("/signin");
  await signInThroughIdp(page, "viewer@scopedesk.test");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  const before = await context.cookies();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  // The attacker's copy of the cookie, put back.
  await context.addCookies(before.filter((c) => c.name.startsWith("authjs.session-token")));
  await page.goto("/lookup");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Flookup$/);
  expect((await page.request.get("/api/accounts?q=legacy")).status()).toBe(401);
});
