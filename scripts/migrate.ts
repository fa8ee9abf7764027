/**
 * `npm run db:migrate`: applies the migrations as the owner role
 * (MIGRATION_DATABASE_URL, default DATABASE_URL), then grants the app role
 * (the user of DATABASE_URL, when that is another role) what it needs: DML on
 * the domain tables, SELECT on the audit log, the audit append function
 * (docs/decisions/014-database-roles.md).
 */
import { loadConfig } from "../lib/platform/config";
import { loadDotEnv } from "./lib/env";
import { migrateAndGrant, roleOf } from "./lib/database-roles";
import { ensureDatabase, redact, waitForPostgres } from "./lib/postgres";

loadDotEnv();
const config = loadConfig(process.env);
try {
  await waitForPostgres(config.migrationDatabaseUrl);
  if (await ensureDatabase(config.migrationDatabaseUrl)) console.log(`created database ${redact(config.migrationDatabaseUrl)}`);
  const result = await migrateAndGrant(config.migrationDatabaseUrl, config.databaseUrl, (l) => console.log(l));
  const owner = roleOf(config.migrationDatabaseUrl);
  const app = roleOf(config.databaseUrl);
  console.log(
    `migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied (as ${owner}${app === owner ? "" : `; ${app} granted`})`,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
