/**
 * Runs the bundled development OpenID Connect identity provider.
 *
 *   npx tsx scripts/dev-idp.ts        (or: npm run idp)
 *
 * DEV_IDP_PORT           default 3001
 * DEV_IDP_REDIRECT_URIS  comma-separated; default the Scopedesk callback on
 *                        localhost:3000 and 127.0.0.1:3000
 *
 * Development, demos and tests only. Never needed in production.
 */
import { startDevIdp } from "./dev-idp/provider";
import { DEV_STAFF } from "./dev-idp/users";

const DEFAULT_REDIRECT_URIS = ["http://localhost:3000/api/auth/callback/scopedesk", "http://127.0.0.1:3000/api/auth/callback/scopedesk"];

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 3001;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`DEV_IDP_PORT must be a port number from 1 to 65535 (got "${value}").`);
  }
  return port;
}

function redirectUrisFromEnv(value: string | undefined): string[] {
  const uris = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return uris.length > 0 ? uris : DEFAULT_REDIRECT_URIS;
}

async function main(): Promise<void> {
  const idp = await startDevIdp({
    port: portFromEnv(process.env.DEV_IDP_PORT),
    redirectUris: redirectUrisFromEnv(process.env.DEV_IDP_REDIRECT_URIS),
  });
  console.log(`[dev-idp] issuer: ${idp.issuer}`);
  console.log(`[dev-idp] staff: ${DEV_STAFF.map((s) => `${s.email} (${s.role})`).join(", ")}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`[dev-idp] ${signal} received, shutting down`);
    idp.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error("[dev-idp] error while shutting down:", err);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(`[dev-idp] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
