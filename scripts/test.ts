/**
 * `npm test`: every test, against a dedicated test database that is recreated
 * on every run, the production build, the development identity provider and
 * Debian's Chromium. Flags: --only=static,unit,db,http,e2e (comma-separated), --skip-build,
 * --files=a,b (only the vitest files whose path contains one of these; Playwright runs all).
 *
 * TEST_DATABASE_URL names the server and database through a superuser (as on
 * our trust-auth machines): the run creates the roles scopedesk_owner and
 * scopedesk_app if missing, recreates the database owned by the owner,
 * migrates and seeds it as the owner, and runs the app and the code under
 * test as the app role (decision 014). Each run seals sessions with a fresh
 * random AUTH_SECRET and signs audit checkpoints with a fresh AUDIT_SIGNING_KEY.
 */
import { appServerCommand } from "./lib/app-server";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { generateAuditSigningKeyPem } from "../lib/audit/signing-key";
import { loadConfig } from "../lib/platform/config";
import { startDevIdp } from "./dev-idp/provider";
import { DEV_ZENDESK_DEFAULT_CLIENT_ID, DEV_ZENDESK_DEFAULT_CLIENT_SECRET, startDevZendesk } from "./dev-zendesk/server";
import { DEV_ZAF_SDK_PATH, DEV_ZENDESK_APP_ID, DEV_ZENDESK_INSTALLATION_ID } from "./dev-zendesk/zendesk-apps";
import { APP_ROLE, asRole, OWNER_ROLE, setUpLocalDatabase } from "./lib/database-roles";
import { assertPortFree, onShutdown, run, startProcess, stopAll, waitForHttp } from "./lib/processes";
import { databaseName, redact } from "./lib/postgres";
import { seedDatabase } from "./lib/seed/seed-database";

const args = process.argv.slice(2);
const only = new Set(args.filter((a) => a.startsWith("--only=")).flatMap((a) => a.slice(7).split(",")));
const wants = (suite: string) => only.size === 0 || only.has(suite);
const skipBuild = args.includes("--skip-build");
const files = args.filter((a) => a.startsWith("--files=")).flatMap((a) => a.slice(8).split(",").filter(Boolean));

const APP_PORT = Number(process.env.TEST_PORT ?? 3100);
const IDP_PORT = Number(process.env.TEST_IDP_PORT ?? 3101);
const ZENDESK_PORT = Number(process.env.TEST_ZENDESK_PORT ?? APP_PORT + 2);
// "localhost", not 127.0.0.1: Next normalises loopback hosts to localhost in
// request URLs, so Auth.js builds its callback URL on localhost whatever we say.
const baseUrl = `http://localhost:${APP_PORT}`;

const adminDatabaseUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/scopedesk_test";
// The triage webhook fires only for tickets opened with this tag (a trigger's condition), so other tests' tickets stay untouched.
const TRIAGE_TAG = "scopedesk-triage";
const WEBHOOK_SECRET = randomBytes(32).toString("base64");

const testEnv: NodeJS.ProcessEnv = {
  ...process.env,
  SCOPEDESK_ENV: "test",
  NODE_ENV: "test",
  DATABASE_URL: asRole(adminDatabaseUrl, APP_ROLE),
  MIGRATION_DATABASE_URL: asRole(adminDatabaseUrl, OWNER_ROLE),
  // Only for tests that act as a superuser would (tamper with the audit log) or create databases of their own.
  TEST_ADMIN_DATABASE_URL: adminDatabaseUrl,
  AUTH_SECRET: randomBytes(32).toString("base64url"),
  // A fresh audit signing key per run too (decision 036): nothing signed in a test run outlives it.
  AUDIT_SIGNING_KEY: Buffer.from(generateAuditSigningKeyPem()).toString("base64"),
  DEV_IDP_PORT: String(IDP_PORT),
  AUTH_TRUST_HOST: "true",
  AUTH_URL: baseUrl,
  NEXT_TELEMETRY_DISABLED: "1",
  // Separate build and artifact folders let two checkouts' runs (or a helper's) coexist.
  NEXT_DIST_DIR: process.env.TEST_NEXT_DIST_DIR ?? ".next-test",
  TEST_ARTIFACTS_DIR: process.env.TEST_ARTIFACTS_DIR ?? "test-results",
  E2E_BASE_URL: baseUrl,
  // The development Zendesk (scripts/dev-zendesk), started below: ticket links, reads and note delivery go to it.
  HELPDESK_BASE_URL: `http://127.0.0.1:${ZENDESK_PORT}`,
  DEV_ZENDESK_URL: `http://127.0.0.1:${ZENDESK_PORT}`,
  ZENDESK_CLIENT_ID: DEV_ZENDESK_DEFAULT_CLIENT_ID,
  ZENDESK_CLIENT_SECRET: DEV_ZENDESK_DEFAULT_CLIENT_SECRET,
  // The Scopedesk app installed in the development Zendesk (its public key is fetched from it), and the triage webhook.
  ZENDESK_APP_ID: String(DEV_ZENDESK_APP_ID),
  ZENDESK_APP_INSTALLATION_ID: String(DEV_ZENDESK_INSTALLATION_ID),
  ZENDESK_APP_SDK_URL: `http://127.0.0.1:${ZENDESK_PORT}${DEV_ZAF_SDK_PATH}`,
  ZENDESK_WEBHOOK_SECRET: WEBHOOK_SECRET,
  TEST_TRIAGE_TAG: TRIAGE_TAG,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  // Fixed so the seeded test data is identical on every run and machine.
  SEED: "scopedesk-test",
  SEED_ACCOUNTS: "3000",
  SEED_TODAY: "2026-11-01",
};
// The demo's own settings must never leak into a test run.
delete testEnv.OIDC_ISSUER;
delete testEnv.OIDC_CLIENT_ID;
delete testEnv.OIDC_CLIENT_SECRET;
delete testEnv.ZENDESK_SUBDOMAIN;
delete testEnv.ZENDESK_APP_PUBLIC_KEY;

const config = loadConfig(testEnv);
const demoDb = databaseName(loadConfig({ ...process.env, SCOPEDESK_ENV: "development" }).databaseUrl);
if (databaseName(config.databaseUrl) === demoDb && !process.env.TEST_DATABASE_URL) {
  throw new Error("The test database must not be the demo database.");
}

const failures: string[] = [];
async function step(name: string, fn: () => Promise<number>): Promise<void> {
  const started = performance.now();
  console.log(`\n=== ${name}`);
  const code = await fn();
  console.log(`=== ${name}: ${code === 0 ? "passed" : `FAILED (exit ${code})`} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (code !== 0) failures.push(name);
}

onShutdown(stopAll);
let idp: { close(): Promise<void> } | undefined;
let zendesk: { close(): Promise<void> } | undefined;
try {
  await assertPortFree(ZENDESK_PORT, "test development Zendesk");
  zendesk = await startDevZendesk({
    port: ZENDESK_PORT,
    host: "127.0.0.1",
    log: () => {},
    app: { scopedeskUrl: baseUrl },
    webhook: { url: `${baseUrl}/api/zendesk-app/webhook`, secret: WEBHOOK_SECRET, requireTag: TRIAGE_TAG },
  });
  console.log(`test database: ${redact(adminDatabaseUrl)} (recreated; owner ${OWNER_ROLE}, app ${APP_ROLE})`);
  await setUpLocalDatabase(adminDatabaseUrl, { recreate: true });
  const seeded = await seedDatabase(config, {
    seed: testEnv.SEED!,
    accounts: Number(testEnv.SEED_ACCOUNTS),
    today: new Date(`${testEnv.SEED_TODAY}T00:00:00Z`),
  });
  console.log(`seeded ${seeded.accounts} accounts, ${seeded.apiKeys} keys in ${seeded.seconds.toFixed(1)} s`);

  const vitest = (project: string) => run("npx", ["vitest", "run", "--project", project, ...files], { env: testEnv });
  if (wants("static")) {
    await step("typecheck", () => run("npx", ["tsc", "--noEmit"], { env: testEnv }));
    await step("lint", () => run("npx", ["eslint", ".", "--max-warnings=0"], { env: testEnv }));
    await step("format (prettier --check; npm run format fixes it)", () =>
      run("npx", ["prettier", "--check", "--log-level=warn", "."], { env: testEnv }),
    );
  }
  if (wants("unit")) await step("unit tests", () => vitest("unit"));
  if (wants("db")) await step("database integration tests", () => vitest("db"));

  if (wants("http") || wants("e2e")) {
    if (!skipBuild || !existsSync(`${testEnv.NEXT_DIST_DIR}/BUILD_ID`)) {
      await step("production build", () => run("npx", ["next", "build"], { env: { ...testEnv, NODE_ENV: "production" } }));
    }
    if (failures.length === 0 || !failures.includes("production build")) {
      await assertPortFree(IDP_PORT, "test identity provider");
      await assertPortFree(APP_PORT, "test app");
      idp = await startDevIdp({
        port: IDP_PORT,
        redirectUris: [`${baseUrl}/api/auth/callback/scopedesk`],
      });
      startProcess("app", ...appServerCommand(APP_PORT), {
        env: { ...testEnv, NODE_ENV: "production" },
        quiet: true,
      });
      await waitForHttp(`${baseUrl}/api/health`);
      if (wants("http")) await step("HTTP integration tests", () => vitest("http"));
      if (wants("e2e")) {
        // Notes reach the development Zendesk's ticket pages as they would a real one: a worker runs beside the app.
        startProcess("worker", "npx", ["tsx", "--conditions=react-server", "scripts/worker.ts"], { env: testEnv, quiet: true });
        await step("end-to-end tests (Playwright, Chromium)", () => run("npx", ["playwright", "test"], { env: testEnv }));
      }
    }
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  failures.push("setup");
} finally {
  await stopAll();
  await idp?.close();
  await zendesk?.close();
}

if (failures.length > 0) {
  console.error(`\nFAILED: ${failures.join(", ")}`);
  process.exit(1);
}
console.log("\nAll tests passed.");
