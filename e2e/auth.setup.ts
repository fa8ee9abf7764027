import { expect, test as setup } from "./fixtures";
import { ROLES, signInThroughIdp, storageStateFor } from "./support";

// Sign in once per role and keep the session for the tests of that role.
for (const role of ROLES) {
  setup(`sign in as ${role}`, async ({ page }) => {
    await page.goto("/signin");
    await signInThroughIdp(page, `${role}@scopedesk.test`);
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    await page.context().storageState({ path: storageStateFor(role) });
  });
}
