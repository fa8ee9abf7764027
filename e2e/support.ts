import type { Page } from "@playwright/test";

export const ROLES = ["viewer", "agent", "agent2", "lead", "admin"] as const;
export type E2eRole = (typeof ROLES)[number];

export const PASSWORD = "scopedesk";

export function storageStateFor(role: E2eRole): string {
  return `${process.env.TEST_ARTIFACTS_DIR ?? "test-results"}/auth/${role}.json`;
}

/** Signs in through the real flow: Scopedesk → development IdP login form → back. */
export async function signInThroughIdp(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByRole("button", { name: /sign in with/i }).click();
  await page.getByLabel(/e-?mail/i).fill(email);
  await page.getByLabel(/password/i).fill(password);
  await page.getByRole("button", { name: /^sign in$/i }).click();
}
