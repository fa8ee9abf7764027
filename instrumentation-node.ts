import { ConfigError, loadConfig, requireAuthSecret } from "./lib/config";

const HOW_TO_FIX = "Scopedesk did not start. Fix the settings above (environment or .env) and start again.";

/**
 * Refuses to start with a clear message when the configuration is missing or
 * malformed, rather than failing on the first request. Every start needs a
 * session secret of its own: none is built in (the demo and `npm test` make one).
 */
export async function checkStartup(): Promise<void> {
  try {
    requireAuthSecret(loadConfig(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`\n${error.message}\n\n${HOW_TO_FIX}\n`);
      process.exit(1);
    }
    throw error;
  }
}
