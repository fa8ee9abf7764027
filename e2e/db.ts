import pg from "pg";
import { generateApiKey } from "../lib/api-keys/api-key-format";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, normalizeScopes } from "../lib/scopes/catalog";
import { withPg } from "../scripts/lib/postgres";
import { scopeSetIdFor } from "../scripts/lib/seed/scope-set-row";

/**
 * Test data for end-to-end stories, written straight into the test database
 * (scripts/test.ts hands Playwright its DATABASE_URL). Ids come from a range
 * the seed never uses.
 */
export async function withTestDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = process.env.DATABASE_URL;
  if (!url || !/scopedesk_test/.test(url)) throw new Error("e2e data helpers only run against a scopedesk_test* database");
  return withPg(url, fn);
}

/** A pre-cutoff account lacking the erase-job scopes, with one key holding all of its scopes. */
export async function createLegacyCustomer(
  client: pg.Client,
  recipients: string[],
): Promise<{ id: number; username: string; oldKey: string }> {
  const id = 96_000_000 + Math.floor(Math.random() * 999_999);
  const username = `story-${id}`;
  const scopes = normalizeScopes(ADMIN_SCOPES);
  const scopeSetId = await scopeSetIdFor(client, scopes);
  await client.query(
    `INSERT INTO account (id, username, email, company, signed_up_at, scope_set_id) VALUES ($1, $2, $3, 'Story Ltd', '2021-03-03T03:03:03Z', $4)`,
    [id, username, `${username}@story.example`, scopeSetId],
  );
  const key = generateApiKey();
  await client.query(`INSERT INTO api_key (id, account_id, name, scope_set_id, secret_hash) VALUES ($1, $2, 'production key', $3, $4)`, [
    key.id,
    id,
    scopeSetId,
    key.hash,
  ]);
  for (const recipient of recipients) {
    await client.query(
      `INSERT INTO message_activity (account_id, recipient_email, recipient_name, subject, categories, ip, sent_at)
       VALUES ($1, $2, 'Story Person', 'Your receipt', '{transactional}', '192.0.2.7', now())`,
      [id, recipient],
    );
  }
  return { id, username, oldKey: key.plaintext };
}

/**
 * A key the customer creates in the SendGrid app after the reset: the app
 * gives it the account's scopes as they are now. (Through /v3, a key may only
 * create keys within its own scopes, so an old key cannot mint the erase-job
 * scopes; that is SendGrid's rule too.)
 */
export async function createKeyInTheApp(client: pg.Client, accountId: number, name: string): Promise<string> {
  const key = generateApiKey();
  await client.query(
    `INSERT INTO api_key (id, account_id, name, scope_set_id, secret_hash) SELECT $1, id, $2, scope_set_id, $3 FROM account WHERE id = $4`,
    [key.id, name, key.hash, accountId],
  );
  return key.plaintext;
}

/**
 * An account that already has both erase-job scopes, whose one key was
 * created without them: nothing to reset, the customer needs a new key.
 */
export async function createModernCustomerWithOldKey(client: pg.Client): Promise<{ id: number; username: string; keyId: string }> {
  const id = 97_000_000 + Math.floor(Math.random() * 999_999);
  const username = `modern-${id}`;
  const scopeSetId = await scopeSetIdFor(client, normalizeScopes([...ADMIN_SCOPES, ...ERASE_JOB_SCOPES]));
  await client.query(
    `INSERT INTO account (id, username, email, company, signed_up_at, scope_set_id) VALUES ($1, $2, $3, 'Modern Ltd', '2024-03-03T03:03:03Z', $4)`,
    [id, username, `${username}@modern.example`, scopeSetId],
  );
  const key = generateApiKey();
  const mailOnly = await scopeSetIdFor(client, ["mail.send"]);
  await client.query(`INSERT INTO api_key (id, account_id, name, scope_set_id, secret_hash) VALUES ($1, $2, 'mail only key', $3, $4)`, [
    key.id,
    id,
    mailOnly,
    key.hash,
  ]);
  return { id, username, keyId: key.id };
}

/**
 * A pre-cutoff account whose default reset takes scopes from a key it uses ("Legacy sender" sends through
 * the legacy SMTP API): the default reset needs a lead's approval; the minimal one does not.
 */
export async function createRiskyCustomer(client: pg.Client): Promise<{ id: number; username: string; keyId: string; key: string }> {
  const id = 98_000_000 + Math.floor(Math.random() * 999_999);
  const username = `risky-${id}`;
  const scopeSetId = await scopeSetIdFor(client, normalizeScopes([...ADMIN_SCOPES, "email_activity.read", "mail.legacy_smtp_api.send"]));
  await client.query(
    `INSERT INTO account (id, username, email, company, signed_up_at, scope_set_id) VALUES ($1, $2, $3, 'Risky Ltd', '2020-02-02T02:02:02Z', $4)`,
    [id, username, `${username}@risky.example`, scopeSetId],
  );
  const key = generateApiKey();
  const senderScopes = await scopeSetIdFor(client, normalizeScopes(["mail.send", "email_activity.read", "mail.legacy_smtp_api.send"]));
  await client.query(`INSERT INTO api_key (id, account_id, name, scope_set_id, secret_hash) VALUES ($1, $2, 'Legacy sender', $3, $4)`, [
    key.id,
    id,
    senderScopes,
    key.hash,
  ]);
  return { id, username, keyId: key.id, key: key.plaintext };
}

/** Gives a key other scopes, as the customer would by editing it in the SendGrid app. */
export async function setKeyScopes(client: pg.Client, keyId: string, scopes: string[]): Promise<void> {
  const scopeSetId = await scopeSetIdFor(client, normalizeScopes(scopes));
  await client.query(`UPDATE api_key SET scope_set_id = $1 WHERE id = $2`, [scopeSetId, keyId]);
}

/** A pre-cutoff account holding only a few scopes: a default reset gives it hundreds. */
export async function createSmallCustomer(client: pg.Client): Promise<{ id: number; username: string }> {
  const id = 99_000_000 + Math.floor(Math.random() * 999_999);
  const username = `small-${id}`;
  const scopeSetId = await scopeSetIdFor(client, normalizeScopes(["mail.send", "stats.read", "templates.read"]));
  await client.query(
    `INSERT INTO account (id, username, email, company, signed_up_at, scope_set_id) VALUES ($1, $2, $3, 'Small Ltd', '2019-09-09T09:09:09Z', $4)`,
    [id, username, `${username}@small.example`, scopeSetId],
  );
  return { id, username };
}
