/**
 * Runs the development Zendesk (scripts/dev-zendesk/server.ts).
 *
 *   npx tsx scripts/dev-zendesk.ts
 *
 * DEV_ZENDESK_PORT        default 3002
 * DEV_ZENDESK_LATENCY_MS  added to every API answer, default 0
 * SCOPEDESK_URL           where the installed Scopedesk app and the triage webhook point, default http://localhost:3000
 * ZENDESK_WEBHOOK_SECRET  the webhook's signing secret, default scopedesk-dev-webhook-secret (refused by a production Scopedesk)
 *
 * Point Scopedesk at it with HELPDESK_BASE_URL=http://127.0.0.1:<port> and the
 * client id and secret it prints. Development, demos and tests only.
 */
import { startDevZendesk } from "./dev-zendesk/server";
import { DEV_WEBHOOK_SECRET } from "./dev-zendesk/webhooks";
import { TICKET_SEEDS } from "./dev-zendesk/seed";

function wholeNumberFromEnv(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${value}").`);
  return n;
}

async function main(): Promise<void> {
  const scopedeskUrl = new URL(process.env.SCOPEDESK_URL || "http://localhost:3000").origin;
  const zendesk = await startDevZendesk({
    port: wholeNumberFromEnv("DEV_ZENDESK_PORT", process.env.DEV_ZENDESK_PORT, 3002, 1, 65535),
    latencyMs: wholeNumberFromEnv("DEV_ZENDESK_LATENCY_MS", process.env.DEV_ZENDESK_LATENCY_MS, 0, 0, 60_000),
    app: { scopedeskUrl },
    webhook: { url: `${scopedeskUrl}/api/zendesk-app/webhook`, secret: process.env.ZENDESK_WEBHOOK_SECRET || DEV_WEBHOOK_SECRET },
  });
  console.log(
    `[dev-zendesk] HELPDESK_BASE_URL=${zendesk.url} ZENDESK_CLIENT_ID=${zendesk.clientId} ZENDESK_CLIENT_SECRET=${zendesk.clientSecret}`,
  );
  console.log(`[dev-zendesk] tickets: ${TICKET_SEEDS.map((t) => `#${t.id}`).join(", ")} (${zendesk.url}/agent/tickets)`);
  console.log(
    `[dev-zendesk] Scopedesk app installed for ${scopedeskUrl}: ZENDESK_APP_ID=${zendesk.apps!.appId} ZENDESK_APP_INSTALLATION_ID=${zendesk.apps!.installationId}; triage webhook to ${scopedeskUrl}/api/zendesk-app/webhook`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`[dev-zendesk] ${signal} received, shutting down`);
    zendesk.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error("[dev-zendesk] error while shutting down:", err);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(`[dev-zendesk] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
