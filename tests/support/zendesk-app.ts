import { createHmac, randomUUID } from "node:crypto";

/**
 * The development Zendesk's Scopedesk app and triage webhook, as tests drive
 * them (scripts/dev-zendesk/zendesk-apps.ts, webhooks.ts): tokens the ticket
 * page would sign, agents, tickets that fire the webhook, and webhook
 * requests signed with the run's secret.
 */
export const DEV_ZENDESK_URL = (process.env.DEV_ZENDESK_URL ?? "").replace(/\/+$/, "");
export const WEBHOOK_SECRET = process.env.ZENDESK_WEBHOOK_SECRET ?? "";
export const TRIAGE_TAG = process.env.TEST_TRIAGE_TAG ?? "scopedesk-triage";

async function dev<T>(path: string, body: object): Promise<T> {
  const response = await fetch(`${DEV_ZENDESK_URL}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) throw new Error(`the development Zendesk answered ${response.status} to ${path}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** A token for the installed app, as the ticket page signs it (overrides for the claims a test breaks). */
export async function appToken(input: {
  email?: string;
  userId?: number;
  aud?: string;
  iss?: string;
  sub?: string;
  expiresInSeconds?: number;
}) {
  return (await dev<{ token: string }>("/__dev/app/tokens", input)).token;
}

/** A Zendesk user who may open the app; its id. */
export async function zendeskAgent(email: string, role: "agent" | "admin" | "end-user" = "agent"): Promise<number> {
  return (await dev<{ id: number }>("/__dev/app/agents", { email, role })).id;
}

/** A new ticket; with `triage`, one the trigger fires the triage webhook for. */
export async function newTicket(input: { requesterEmail: string; subject?: string; triage?: boolean; tags?: string[] }): Promise<string> {
  const { id } = await dev<{ id: number }>("/__dev/tickets", {
    requesterEmail: input.requesterEmail,
    subject: input.subject ?? "Please enable the erase-job scopes",
    tags: [...(input.triage ? [TRIAGE_TAG] : []), ...(input.tags ?? [])],
  });
  return String(id);
}

/** The webhook fired again for a ticket by the development Zendesk (each firing signed on its own). */
export async function fireWebhook(ticketId: string, options: { times?: number; concurrent?: boolean } = {}) {
  return (await dev<{ firings: { status: number | null }[] }>("/__dev/webhooks/fire", { ticketId: Number(ticketId), ...options })).firings;
}

/** A webhook request as Zendesk signs it (secret, timestamp and body can each be made wrong). */
export function signedWebhook(input: { body?: string; ticketId?: string; timestamp?: string; secret?: string }) {
  const body = input.body ?? JSON.stringify({ ticket_id: input.ticketId ?? "1", invocation_id: randomUUID() });
  const timestamp = input.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const signature = createHmac("sha256", input.secret ?? WEBHOOK_SECRET)
    .update(timestamp + body)
    .digest("base64");
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-zendesk-webhook-signature": signature,
      "x-zendesk-webhook-signature-timestamp": timestamp,
    } as Record<string, string>,
  };
}

export async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value, (_, v) => (typeof v === "bigint" ? String(v) : v))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
