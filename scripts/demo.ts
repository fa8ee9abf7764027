/**
 * `npm run demo`: one command from a fresh clone to a running console.
 * Creates the database roles and the database, migrates it, seeds demo data
 * when it has none, builds the production bundle and runs it with the
 * development identity provider, as the app role (decision 014).
 * It also runs the development Zendesk (scripts/dev-zendesk, DEV_ZENDESK_PORT,
 * default 3002), which the console reads tickets from and posts its notes
 * into, and the worker that posts them.
 * PORT (default 3000), DEV_IDP_PORT (3001), SEED_ACCOUNTS and DEMO_RESEED=1 change it;
 * DATABASE_URL picks the server and database; DEMO_ADMIN_DATABASE_URL is that
 * database through the superuser that sets it up (default: DATABASE_URL's
 * server and database as postgres, with the local trust authentication).
 * The session secret is AUTH_SECRET if set, else one made once per machine
 * outside the repository (scripts/lib/demo-secret.ts).
 */
import { randomBytes } from "node:crypto";
import { appServerCommand } from "./lib/app-server";
import pg from "pg";
import { loadConfig } from "../lib/platform/config";
import { startDevIdp } from "./dev-idp/provider";
import { DEV_ZENDESK_DEFAULT_CLIENT_ID, DEV_ZENDESK_DEFAULT_CLIENT_SECRET, startDevZendesk } from "./dev-zendesk/server";
import { FIRST_TICKET_ID } from "./dev-zendesk/store";
import { highestKnownTicketId } from "./lib/known-tickets";
import { DEV_ZAF_SDK_PATH, DEV_ZENDESK_APP_ID, DEV_ZENDESK_INSTALLATION_ID } from "./dev-zendesk/zendesk-apps";
import { DEV_PASSWORD, DEV_STAFF } from "./dev-idp/users";
import { asRole, OWNER_ROLE, setUpLocalDatabase } from "./lib/database-roles";
import { demoAuditSigningKey, demoAuthSecret } from "./lib/demo-secret";
import { loadDotEnv } from "./lib/env";
import { onShutdown, run, startProcess, stopAll, waitForHttp } from "./lib/processes";
import { redact } from "./lib/postgres";
import { fixtures } from "./lib/seed/generate";
import { seedDatabase, seedSettingsFromEnv } from "./lib/seed/seed-database";

loadDotEnv();
const port = Number(process.env.PORT ?? 3000);
const zendeskPort = Number(process.env.DEV_ZENDESK_PORT ?? 3002);
const target = loadConfig({ ...process.env, SCOPEDESK_ENV: "development" }).databaseUrl;
const adminDatabaseUrl = process.env.DEMO_ADMIN_DATABASE_URL ?? asRole(target, "postgres");

function auditSigningKey(): string {
  if (process.env.AUDIT_SIGNING_KEY) return process.env.AUDIT_SIGNING_KEY;
  const demo = demoAuditSigningKey();
  console.log(`audit signing key: ${demo.file} (${demo.created ? "made now" : "kept from an earlier run"}; outside git)`);
  return demo.key;
}

function sessionSecret(): string {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  const demo = demoAuthSecret();
  console.log(`session secret: ${demo.file} (${demo.created ? "made now" : "kept from an earlier run"}; outside git)`);
  return demo.secret;
}

async function accountCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM account");
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

onShutdown(stopAll);
try {
  const database = await setUpLocalDatabase(adminDatabaseUrl, { log: (l) => console.log(l) });
  if (database.created) console.log(`created database ${redact(database.ownerUrl)}`);
  // A database made before decision 014 (by postgres) is kept, data and audit chain included: it now belongs to the owner role.
  if (database.adopted > 0) console.log(`handed ${database.adopted} objects of the existing database to ${OWNER_ROLE}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SCOPEDESK_ENV: process.env.SCOPEDESK_ENV ?? "development",
    DATABASE_URL: database.appUrl,
    MIGRATION_DATABASE_URL: database.ownerUrl,
    AUTH_SECRET: sessionSecret(),
    AUDIT_SIGNING_KEY: auditSigningKey(),
    AUTH_TRUST_HOST: "true",
    AUTH_URL: process.env.AUTH_URL ?? `http://localhost:${port}`,
    NEXT_TELEMETRY_DISABLED: "1",
    // The development Zendesk: canonical ticket links point at it, and the notes are delivered into it.
    HELPDESK_BASE_URL: process.env.HELPDESK_BASE_URL ?? `http://127.0.0.1:${zendeskPort}`,
    ZENDESK_CLIENT_ID: process.env.ZENDESK_CLIENT_ID ?? DEV_ZENDESK_DEFAULT_CLIENT_ID,
    ZENDESK_CLIENT_SECRET: process.env.ZENDESK_CLIENT_SECRET ?? DEV_ZENDESK_DEFAULT_CLIENT_SECRET,
    // The Scopedesk app installed in the development Zendesk's ticket sidebar, and its triage webhook (a fresh secret per run).
    ZENDESK_APP_ID: process.env.ZENDESK_APP_ID ?? String(DEV_ZENDESK_APP_ID),
    ZENDESK_APP_INSTALLATION_ID: process.env.ZENDESK_APP_INSTALLATION_ID ?? String(DEV_ZENDESK_INSTALLATION_ID),
    ZENDESK_APP_SDK_URL: process.env.ZENDESK_APP_SDK_URL ?? `http://127.0.0.1:${zendeskPort}${DEV_ZAF_SDK_PATH}`,
    ZENDESK_WEBHOOK_SECRET: process.env.ZENDESK_WEBHOOK_SECRET ?? randomBytes(32).toString("base64"),
  };
  const config = loadConfig(env);
  if (!config.oidc.usesDevIdp) throw new Error("npm run demo uses the development identity provider: unset OIDC_ISSUER.");
  const { migrations } = database;
  console.log(`database ready: ${migrations.applied.length} migrations applied now, ${migrations.alreadyApplied.length} before`);

  if (env.DEMO_RESEED === "1" || (await accountCount(config.databaseUrl)) === 0) {
    const settings = seedSettingsFromEnv(env);
    const report = await seedDatabase(config, settings);
    console.log(
      `seeded ${report.accounts.toLocaleString("en")} accounts and ${report.apiKeys.toLocaleString("en")} API keys in ${report.seconds.toFixed(1)} s`,
    );
  } else {
    console.log("demo data already present (DEMO_RESEED=1 replaces it)");
  }

  const buildCode = await run("npx", ["next", "build"], { env: { ...env, NODE_ENV: "production" } });
  if (buildCode !== 0) throw new Error("next build failed");

  const idp = await startDevIdp({
    port: config.devIdpPort,
    // Next reports loopback requests as "localhost", so that is the callback host.
    redirectUris: [`http://localhost:${port}/api/auth/callback/scopedesk`],
  });
  // Tickets live in the development Zendesk's memory; Scopedesk's database remembers their numbers (triage, resets).
  const firstTicketId = Math.max(FIRST_TICKET_ID, (await highestKnownTicketId(config.databaseUrl)) + 1);
  if (firstTicketId > FIRST_TICKET_ID)
    console.log(`new development Zendesk tickets are numbered from ${firstTicketId} (past those Scopedesk knows)`);
  const zendesk = await startDevZendesk({
    port: zendeskPort,
    firstTicketId,
    host: "127.0.0.1",
    log: () => {},
    app: { scopedeskUrl: env.AUTH_URL! },
    webhook: { url: `${new URL(env.AUTH_URL!).origin}/api/zendesk-app/webhook`, secret: env.ZENDESK_WEBHOOK_SECRET! },
  });
  onShutdown(async () => {
    await stopAll();
    await idp.close();
    await zendesk.close();
  });
  const app = startProcess("app", ...appServerCommand(port), { env: { ...env, NODE_ENV: "production" } });
  app.on("exit", (code) => {
    console.error(`the app stopped (exit ${code})`);
    void idp.close().finally(() => process.exit(code ?? 1));
  });
  await waitForHttp(`http://localhost:${port}/api/health`);
  // Delivers the notes into the tickets and carries out Recipients' Data Erasure jobs (npm run worker).
  const worker = startProcess("worker", "npx", ["tsx", "--conditions=react-server", "scripts/worker.ts"], { env });
  worker.on("exit", (code) => {
    if (code !== 0 && code !== null) console.error(`the worker stopped (exit ${code}); notes and erasure jobs stay queued until one runs`);
  });

  const all = fixtures(config.signupCutoff);
  const legacy = all.find((f) => f.key === "legacy")!;
  const modern = all.find((f) => f.key === "modern")!;
  console.log(`
Scopedesk is running on http://localhost:${port}
Sign in with any of these (password "${DEV_PASSWORD}"):
${DEV_STAFF.map((s) => `  ${s.email.padEnd(24)} ${s.role}`).join("\n")}
The helpdesk (development Zendesk) is on ${zendesk.url}/agent/tickets: notes arrive there.
Try: ${port === 3000 ? "" : `http://localhost:${port}`}/tickets/4242, a ticket from ${legacy.account.email} (account ${legacy.account.id}), signed up
before the cutoff and missing the erase-job scopes.

Scopedesk inside Zendesk:
  The sidebar app: open ${zendesk.url}/agent/tickets/4242 (signed in to Zendesk as agent@scopedesk.test; ?as=lead@scopedesk.test
    or another staff e-mail switches). Scopedesk opens beside the ticket from Zendesk's signed load: the account, the verdict,
    Reset Scopes; the notes appear in the conversation.
  Triage on arrival: open a ticket at ${zendesk.url}/agent/tickets/new (or POST ${zendesk.url}/__dev/tickets). The webhook
    fires, the worker posts one internal note with the account, the verdict and what a reset would do; the console lists
    every triaged ticket at http://localhost:${port}/triage.

Demo API keys for /v3 (seed data, shown because they are demo data):
  LEGACY_KEY=${legacy.keys[0]!.plaintext}   # ${legacy.account.username}: lacks the erase-job scopes (403 until a reset and a new key)
  MODERN_KEY=${modern.keys[0]!.plaintext}   # ${modern.account.username}: has them
  curl -s -X POST localhost:${port}/v3/recipients/erasejob -H "Authorization: Bearer $MODERN_KEY" \\
    -H 'content-type: application/json' -d '{"email_addresses":["jane.doe@example.com"]}'
Press Ctrl+C to stop.`);
} catch (error) {
  console.error(`\n${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
}
