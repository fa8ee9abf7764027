import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { normalizeScopes, ADMIN_SCOPES } from "../lib/scopes/catalog";
import { scopeSetFingerprint } from "../lib/scopes/fingerprint";
import { createLegacyCustomer, withTestDb } from "./db";
import { expect, test } from "./fixtures";
import { openTicket, storageStateFor, ticketUrl } from "./support";

/**
 * Issue 13, CSRF in a real browser: pages on another origin, started here,
 * try to reset an account with the agent's cookies. One is on another port
 * of localhost: a different origin but the same site, so the browser does
 * send the SameSite=Lax session cookie, and only the console's CSRF rule
 * stands in the way. One is on 127.0.0.1: another site, so no cookie at all.
 * Each sends a valid reset request; nothing changes.
 */
let attacker: Server;
let attackerPort: number;
let target: { id: number; url: string; body: string };

/** A text/plain form whose one field spells a valid reset request as JSON ("reason":"x=y"). */
function attackPage(kind: string): string {
  const json = JSON.parse(target.body) as Record<string, string>;
  const head = JSON.stringify({ ...json, reason: "x" }).slice(0, -2);
  const form = `<form id="f" method="POST" enctype="text/plain" action="${target.url}"><input name='${head}' value='y"}'></form>`;
  const script =
    kind === "form"
      ? `document.getElementById("f").submit();`
      : `fetch(${JSON.stringify(target.url)}, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "application/json" }, body: ${JSON.stringify(target.body)} }).then(() => { document.title = "sent"; });`;
  return `<!doctype html><html><head><title>You won</title></head><body>${form}<script>${script}</script></body></html>`;
}

test.beforeAll(async () => {
  const ticket = await openTicket();
  const account = await withTestDb((client) => createLegacyCustomer(client, []));
  target = {
    id: account.id,
    url: `${process.env.E2E_BASE_URL ?? "http://localhost:3100"}/api/accounts/${account.id}/scope-resets`,
    body: JSON.stringify({
      ticket: ticketUrl(ticket),
      idempotencyKey: randomUUID(),
      expectedFingerprint: scopeSetFingerprint(normalizeScopes(ADMIN_SCOPES)),
    }),
  };
  attacker = createServer((req, res) => {
    const kind = new URL(req.url ?? "/", "http://x").pathname.slice(1);
    if (kind !== "form" && kind !== "fetch") return void res.writeHead(204).end();
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(attackPage(kind));
  });
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  attackerPort = (attacker.address() as AddressInfo).port;
});

test.afterAll(async () => {
  await new Promise((resolve) => attacker.close(resolve));
});

async function traces(): Promise<{ resets: number; fingerprint: string }> {
  return withTestDb(async (client) => {
    const { rows } = await client.query<{ resets: number; fingerprint: string }>(
      `SELECT (SELECT count(*)::int FROM scope_reset WHERE account_id = $1) AS resets, s.fingerprint
         FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE a.id = $1`,
      [target.id],
    );
    return rows[0]!;
  });
}

test.describe("agent, visiting another page", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("a same-site page's text/plain form and no-cors fetch carry the cookie and are refused; nothing changes", async ({
    page,
    expectErrors,
  }) => {
    expectErrors(new RegExp(`^HTTP 403 POST ${target.url.replace(/[.]/g, "\\.")}$`));
    const before = await traces();

    await page.goto(`http://localhost:${attackerPort}/form`);
    await page.waitForURL(target.url);
    // Forbidden, not unauthenticated: the session cookie came along, the CSRF rule refused it.
    const answer = JSON.parse(await page.locator("body").innerText()) as { error: { code: string; details: { reason: string } } };
    expect(answer.error).toMatchObject({ code: "forbidden", details: { reason: "content_type" } });

    await page.goto(`http://localhost:${attackerPort}/fetch`);
    await expect(page).toHaveTitle("sent");

    expect(await traces()).toEqual(before);
  });

  test("another site's form gets no cookie at all; nothing changes", async ({ page, expectErrors }) => {
    expectErrors(new RegExp(`^HTTP 401 POST ${target.url.replace(/[.]/g, "\\.")}$`));
    const before = await traces();
    await page.goto(`http://127.0.0.1:${attackerPort}/form`);
    await page.waitForURL(target.url);
    expect(JSON.parse(await page.locator("body").innerText())).toMatchObject({ error: { code: "unauthenticated" } });
    expect(await traces()).toEqual(before);
  });

  test("the same reset, as JSON from the console's origin, goes through", async ({ page }) => {
    const response = await page.request.post(target.url, {
      headers: { "content-type": "application/json", origin: new URL(target.url).origin },
      data: target.body,
    });
    expect(response.status()).toBe(201);
    expect((await traces()).resets).toBe(1);
  });
});
