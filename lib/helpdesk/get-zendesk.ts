import "server-only";
import { getLogger } from "@/lib/platform/logger";
import { helpdeskSettings, type HelpdeskSettings } from "./helpdesk-settings";
import { createZendeskClient, type ZendeskClient } from "./zendesk-client";

/**
 * The process's Zendesk connection, from the environment (helpdesk-settings.ts).
 * Two clients on one token source each: the console's reads an agent waits
 * for give up fast (a helpdesk that does not answer must not block a reset),
 * the worker's deliveries wait longer and leave retries to the job.
 */
const holder = globalThis as unknown as {
  __scopedeskZendesk?: { settings: HelpdeskSettings; console?: ZendeskClient; worker?: ZendeskClient };
};

function state() {
  holder.__scopedeskZendesk ??= { settings: helpdeskSettings(process.env) };
  return holder.__scopedeskZendesk;
}

export function helpdeskConnection(): { connected: true; baseUrl: string } | { connected: false; reason: string } {
  const { settings } = state();
  return settings.connected ? { connected: true, baseUrl: settings.client.baseUrl } : settings;
}

/** How the worker's client waits: longer than the console's, and retries of a write are left to the job (decision 027). */
export const WORKER_CLIENT_LIMITS = { timeoutMs: 10_000, maxRetries: 1, maxRetryWaitMs: 5000 } as const;

/** null when the helpdesk is not connected. */
export function getZendesk(purpose: "console" | "worker"): ZendeskClient | null {
  const s = state();
  if (!s.settings.connected) return null;
  const logger = getLogger().child({ component: `zendesk-${purpose}` });
  if (purpose === "console") {
    s.console ??= createZendeskClient({ ...s.settings.client, timeoutMs: 3000, maxRetries: 1, maxRetryWaitMs: 2000, logger });
    return s.console;
  }
  s.worker ??= createZendeskClient({ ...s.settings.client, ...WORKER_CLIENT_LIMITS, logger });
  return s.worker;
}
