import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";

const IMPACTS = ["minor", "moderate", "serious", "critical"] as const;

/**
 * Accessibility violations as readable lines (rule, impact, where), so a
 * failure says what to fix: serious and critical ones, or from `minImpact` up.
 */
export async function axeViolations(
  page: Page,
  include?: string,
  options: { minImpact?: (typeof IMPACTS)[number] } = {},
): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  if (include) builder.include(include);
  const { violations } = await builder.analyze();
  const from = IMPACTS.indexOf(options.minImpact ?? "serious");
  return violations
    .filter((v) => IMPACTS.indexOf(v.impact ?? "minor") >= from)
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

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

/** The helpdesk the console under test is configured with (scripts/test.ts), and a ticket's link on it. */
export const HELPDESK_BASE_URL = (process.env.HELPDESK_BASE_URL ?? "https://scopedesk.zendesk.com").replace(/\/+$/, "");
export function ticketUrl(ticketId: number | string): string {
  return `${HELPDESK_BASE_URL}/agent/tickets/${ticketId}`;
}

/** Opens a ticket in the development Zendesk (as a customer writing in would); its number. */
export async function openTicket(input: { requesterEmail?: string; subject?: string } = {}): Promise<number> {
  const base = process.env.DEV_ZENDESK_URL;
  if (!base) throw new Error("DEV_ZENDESK_URL is not set: run the tests through npm test");
  const response = await fetch(`${base}/__dev/tickets`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  if (response.status !== 201) throw new Error(`the development Zendesk did not open a ticket (${response.status})`);
  return ((await response.json()) as { id: number }).id;
}
