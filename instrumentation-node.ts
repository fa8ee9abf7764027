import { ConfigError, loadConfig, requireAuthSecret } from "./lib/platform/config";
import { checkAppDatabaseRole } from "./lib/platform/database-role";

const HOW_TO_FIX = "Scopedesk did not start. Fix the settings above (environment or .env) and start again.";

/**
 * Refuses to start with a clear message when the configuration is missing or
 * malformed, rather than failing on the first request. Every start needs a
 * session secret of its own: none is built in (the demo and `npm test` make
 * one). In production the database role must not be a superuser or own the
 * audit log (decision 014); elsewhere that is a warning.
 */
export async function checkStartup(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
    requireAuthSecret(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`\n${error.message}\n\n${HOW_TO_FIX}\n`);
      process.exit(1);
    }
    throw error;
  }
  const problem = await checkAppDatabaseRole(config.databaseUrl);
  if (!problem) return;
  const advice = "connect as the app role (README: Production database roles; docs/decisions/014-database-roles.md)";
  if (config.env === "production") {
    console.error(`\nInvalid Scopedesk configuration:\n  - ${problem}: ${advice}.\n\n${HOW_TO_FIX}\n`);
    process.exit(1);
  }
  console.warn(`Warning: ${problem}; in production Scopedesk refuses to start like this: ${advice}.`);
}
