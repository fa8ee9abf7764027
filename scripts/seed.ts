import { loadConfig } from "../lib/platform/config";
import { migrateAndGrant } from "./lib/database-roles";
import { loadDotEnv } from "./lib/env";
import { ensureDatabase, redact, waitForPostgres } from "./lib/postgres";
import { seedDatabase, seedSettingsFromEnv } from "./lib/seed/seed-database";

loadDotEnv();
try {
  const config = loadConfig(process.env);
  const settings = seedSettingsFromEnv(process.env);
  await waitForPostgres(config.migrationDatabaseUrl);
  await ensureDatabase(config.migrationDatabaseUrl);
  await migrateAndGrant(config.migrationDatabaseUrl, config.databaseUrl);
  console.log(
    `seeding ${redact(config.migrationDatabaseUrl)}: ${settings.accounts.toLocaleString("en")} accounts, seed "${settings.seed}", signups up to ${settings.today.toISOString().slice(0, 10)}`,
  );
  const report = await seedDatabase(config, settings);
  console.log(
    `seeded ${report.accounts.toLocaleString("en")} accounts (${report.subusers.toLocaleString("en")} subusers), ` +
      `${report.apiKeys.toLocaleString("en")} API keys, ${report.scopeSets.toLocaleString("en")} distinct scope sets, ` +
      `${report.messageActivity.toLocaleString("en")} message activity rows, ${report.staff} staff in ${report.seconds.toFixed(1)} s`,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
