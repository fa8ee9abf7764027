import { createKeyInTheApp, createLegacyCustomer, withTestDb } from "./db";
import { expect, test } from "./fixtures";
import { openTicket, storageStateFor, ticketUrl } from "./support";

// The whole story the scopes exist for, as customer and agent live it.
test.describe("a pre-cutoff customer erases a recipient after a scope reset", () => {
  test.use({ storageState: storageStateFor("agent") });

  test("403, reset in the console, old key still 403, new key 202, worker erases, console shows it done", async ({ page, request }) => {
    const recipient = `story.person.${Date.now()}@example.com`;
    const customer = await withTestDb((db) => createLegacyCustomer(db, [recipient, "someone.else@example.com"]));
    const erase = (key: string) =>
      request.post("/v3/recipients/erasejob", { headers: { authorization: `Bearer ${key}` }, data: { email_addresses: [recipient] } });

    const refused = await erase(customer.oldKey);
    expect(refused.status()).toBe(403);
    expect(await refused.json()).toMatchObject({ errors: [expect.objectContaining({ message: expect.any(String) })] });

    const ticket = await openTicket({ requesterEmail: `${customer.username}@story.example` });
    await page.goto(`/accounts/${customer.id}?ticket=${encodeURIComponent(ticketUrl(ticket))}`);
    await expect(page.getByTestId("verdict")).toContainText(/missing/i);
    await page.getByRole("button", { name: "Reset Scopes…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Reset scopes" }).click();
    await expect(page.getByTestId("reset-outcome")).toContainText("Scopes reset and verified");
    await expect(page.getByTestId("customer-reply")).toHaveValue(/production key/);

    // Existing keys keep the scopes they were created with.
    expect((await erase(customer.oldKey)).status()).toBe(403);

    // The old key cannot mint a key stronger than itself (SendGrid's rule)…
    const minted = await request.post("/v3/api_keys", {
      headers: { authorization: `Bearer ${customer.oldKey}` },
      data: { name: "erasure key", scopes: ["recipients.erasejob.create", "recipients.erasejob.read"] },
    });
    expect(minted.status()).toBe(403);
    // …so the customer creates the new key in the SendGrid app, as the reply tells them.
    const newKey = await withTestDb((db) => createKeyInTheApp(db, customer.id, "erasure key"));

    const accepted = await erase(newKey);
    expect(accepted.status()).toBe(202);
    const { job_id: jobId } = (await accepted.json()) as { job_id: string };
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);

    // The worker beside the app (npm run worker, started by npm test) carries it out.
    const status = () =>
      withTestDb(
        async (db) => (await db.query<{ status: string }>(`SELECT status::text FROM erase_job WHERE id = $1`, [jobId])).rows[0]?.status,
      );
    await expect.poll(status, { timeout: 30_000 }).toBe("done");

    const remaining = await withTestDb(async (db) => {
      const { rows } = await db.query<{ recipient_email: string | null; erased_at: Date | null }>(
        `SELECT recipient_email, erased_at FROM message_activity WHERE account_id = $1 ORDER BY id`,
        [customer.id],
      );
      return rows;
    });
    expect(remaining).toHaveLength(2);
    expect(remaining.filter((r) => r.erased_at !== null)).toHaveLength(1);
    expect(remaining.map((r) => r.recipient_email)).toEqual(expect.arrayContaining(["someone.else@example.com", null]));
    expect(remaining.map((r) => r.recipient_email)).not.toContain(recipient);

    await page.goto(`/accounts/${customer.id}`);
    const job = page.getByTestId("erase-job-row");
    await expect(job).toHaveCount(1);
    await expect(job).toHaveAttribute("data-status", "done");
    await expect(page.getByTestId("erase-jobs")).not.toContainText(recipient);
  });
});
