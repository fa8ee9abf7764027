import { loadConfig } from "../lib/config";
import { loadDotEnv } from "./lib/env";
import { migrate } from "./lib/migrate";
import { ensureDatabase, redact, waitForPostgres } from "./lib/postgres";

loadDotEnv();
const config = loadConfig(process.env);
try {
  await waitForPostgres(config.databaseUrl);
  if (await ensureDatabase(config.databaseUrl)) console.log(`created database ${redact(config.databaseUrl)}`);
  const result = await migrate(config.databaseUrl, { log: (l) => console.log(l) });
  console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
