import { existsSync } from "node:fs";

/** Scripts read .env the way Next does for the app (Next loads it itself). */
export function loadDotEnv(): void {
  if (existsSync(".env")) process.loadEnvFile(".env");
}
