import { ConfigError, loadConfig } from "./lib/config";

// Refuse to start with a clear message when the configuration is missing or
// malformed, rather than failing on the first request.
try {
  loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`\n${error.message}\n\nScopedesk did not start. Fix the settings above (environment or .env) and start again.\n`);
    process.exit(1);
  }
  throw error;
}
