/**
 * `npm run demo:new-key -- <account id> [key name]`: what an account's
 * administrator does in the SendGrid app (Settings > API Keys > Create API
 * Key, Full Access) to get a key with the scopes the account holds now, for
 * example the erase-job scopes after a reset. The customer API cannot do it
 * with an older key: POST /v3/api_keys only grants scopes the creating key
 * can use itself (SendGrid's rule), and a key made before the reset lacks
 * them. Prints the new key once. Demo data only: refuses production, as
 * seeding does.
 *
 * Runs under tsx with the "react-server" condition so the server-only modules load.
 */
import { createApiKey } from "../lib/api-keys/create-api-key";
import { getConfig } from "../lib/platform/config";
import { disconnectDb, getDb } from "../lib/platform/db";
import { effectiveScopes, type ScopeHolder } from "../lib/scopes/effective-scopes";
import { isV3Error } from "../lib/erasure/errors";
import { loadDotEnv } from "./lib/env";

const USAGE = "usage: npm run demo:new-key -- <account id> [key name]";

loadDotEnv();

async function main([idText, ...nameParts]: string[]): Promise<number> {
  if (getConfig().env === "production") {
    console.error("demo:new-key plays the SendGrid app's part in the demo; it refuses to run in production.");
    return 1;
  }
  if (!idText || !/^\d{1,10}$/.test(idText)) {
    console.error(USAGE);
    return 2;
  }
  const db = getDb();
  const account = await db.account.findUnique({
    where: { id: Number(idText) },
    select: {
      id: true,
      username: true,
      scopeSet: { select: { scopes: true } },
      parent: { select: { username: true, scopeSet: { select: { scopes: true } } } },
    },
  });
  if (!account) {
    console.error(`There is no account ${idText}.`);
    return 1;
  }
  const chain: ScopeHolder[] = [
    { kind: "account", label: account.username, scopes: account.scopeSet.scopes },
    ...(account.parent ? [{ kind: "parent" as const, label: account.parent.username, scopes: account.parent.scopeSet.scopes }] : []),
  ];
  try {
    const key = await createApiKey(
      db,
      { id: account.id, username: account.username, onBehalfOf: null, scopes: effectiveScopes(chain), chain },
      { name: nameParts.join(" ").trim() || "Created in the app" },
    );
    const erase = key.scopes.filter((s) => s.startsWith("recipients.erasejob."));
    console.log(
      `New API key for ${account.username} (#${account.id}), "${key.name}", ${key.scopes.length} scopes` +
        (erase.length > 0 ? ` including ${erase.join(" and ")}` : ", without the erase-job scopes"),
    );
    console.log(key.api_key);
    return 0;
  } catch (error) {
    if (isV3Error(error)) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

main(process.argv.slice(2))
  .then(async (code) => {
    await disconnectDb();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    await disconnectDb();
    process.exit(1);
  });
