/**
 * The development Zendesk's triage webhook (docs/decisions/031-triage-on-arrival.md):
 * a trigger "ticket is created" (optionally "and has this tag") whose action is a
 * webhook to Scopedesk, signed as Zendesk signs them: X-Zendesk-Webhook-Signature =
 * base64(HMAC-SHA256(timestamp + body)) with the webhook's signing secret, the
 * timestamp in X-Zendesk-Webhook-Signature-Timestamp (ISO 8601, seconds), and
 * X-Zendesk-Webhook-Id / -Invocation-Id. Fired after the ticket is stored, never
 * blocking its creation; retried twice on a network error, 429 or 5xx.
 *
 * The body is the one the README tells an admin to give the trigger:
 *   {"ticket_id": "{{ticket.id}}", "invocation_id": "<per firing>"}
 *
 * Control endpoints:
 *   POST /__dev/webhooks/fire  { ticketId, times?, concurrent? }: fire it again for a ticket (201 with the answers)
 *   GET  /__dev/webhooks       every firing and what Scopedesk answered
 */
import { createHmac, randomUUID } from "node:crypto";
import { Hono } from "hono";
import { z } from "zod";

export interface DevWebhookOptions {
  /** Scopedesk's webhook, e.g. http://localhost:3000/api/zendesk-app/webhook. */
  url: string;
  /** The webhook's signing secret (Scopedesk's ZENDESK_WEBHOOK_SECRET). */
  secret: string;
  /** The trigger's condition: only tickets created with this tag fire it. Default: every new ticket. */
  requireTag?: string;
}

export interface DevWebhookFiring {
  ticketId: number;
  invocationId: string;
  attempts: number;
  /** Scopedesk's last answer, or the network error. */
  status: number | null;
  error: string | null;
  firedAt: string;
}

export const DEV_WEBHOOK_ID = "01JDEVZENDESKTRIAGE00000001";
/** The development default signing secret: published here, so a production Scopedesk refuses it (lib/platform/config.ts). */
export const DEV_WEBHOOK_SECRET = "scopedesk-dev-webhook-secret";

export interface DevWebhooks {
  /** The trigger: a ticket was created (with these tags). Fires in the background. */
  ticketCreated(ticketId: number, tags: readonly string[]): void;
  /** Fires for a ticket now; resolves with each firing once answered. */
  fire(ticketId: number, options?: { times?: number; concurrent?: boolean }): Promise<DevWebhookFiring[]>;
  firings(): DevWebhookFiring[];
  /** Waits for the firings in flight (tests, shutdown). */
  settled(): Promise<void>;
  routes(): Hono;
}

const RETRY_DELAYS_MS = [500, 1500];
const MAX_FIRINGS_KEPT = 1000;

export function createDevWebhooks(options: DevWebhookOptions, log: (line: string) => void): DevWebhooks {
  const firings: DevWebhookFiring[] = [];
  const inFlight = new Set<Promise<unknown>>();

  async function fireOnce(ticketId: number): Promise<DevWebhookFiring> {
    const invocationId = randomUUID();
    const body = JSON.stringify({ ticket_id: String(ticketId), invocation_id: invocationId });
    const firing: DevWebhookFiring = { ticketId, invocationId, attempts: 0, status: null, error: null, firedAt: new Date().toISOString() };
    if (firings.length >= MAX_FIRINGS_KEPT) firings.shift();
    firings.push(firing);
    for (let attempt = 0; ; attempt++) {
      // Each attempt is signed when it is sent, as Zendesk does.
      const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      const signature = createHmac("sha256", options.secret)
        .update(timestamp + body)
        .digest("base64");
      firing.attempts++;
      try {
        const response = await fetch(options.url, {
          method: "POST",
          headers: {
            "content-type": "application/json; charset=utf-8",
            "user-agent": "Zendesk Webhook",
            "x-zendesk-webhook-id": DEV_WEBHOOK_ID,
            "x-zendesk-webhook-invocation-id": invocationId,
            "x-zendesk-webhook-signature": signature,
            "x-zendesk-webhook-signature-timestamp": timestamp,
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer().catch(() => undefined);
        firing.status = response.status;
        firing.error = null;
        if (response.status !== 429 && response.status < 500) break;
      } catch (error) {
        firing.error = error instanceof Error ? error.message : String(error);
      }
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    log(`webhook for ticket #${ticketId}: ${firing.status ?? firing.error} after ${firing.attempts} attempt(s)`);
    return firing;
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => {});
    return promise;
  }

  async function fire(ticketId: number, fireOptions: { times?: number; concurrent?: boolean } = {}): Promise<DevWebhookFiring[]> {
    const times = fireOptions.times ?? 1;
    if (fireOptions.concurrent) return Promise.all(Array.from({ length: times }, () => track(fireOnce(ticketId))));
    const done: DevWebhookFiring[] = [];
    for (let i = 0; i < times; i++) done.push(await track(fireOnce(ticketId)));
    return done;
  }

  const fireRequest = z.strictObject({
    ticketId: z.number().int().positive(),
    times: z.number().int().min(1).max(20).optional(),
    concurrent: z.boolean().optional(),
  });

  return {
    ticketCreated(ticketId, tags) {
      if (options.requireTag && !tags.includes(options.requireTag)) return;
      void track(fireOnce(ticketId));
    },
    fire,
    firings: () => firings.map((f) => ({ ...f })),
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    routes() {
      const app = new Hono();
      app.post("/__dev/webhooks/fire", async (c) => {
        const parsed = fireRequest.safeParse(await c.req.json().catch(() => undefined));
        if (!parsed.success) return c.json({ error: "InvalidRequest", issues: parsed.error.issues.map((i) => i.message) }, 400);
        return c.json({ firings: await fire(parsed.data.ticketId, parsed.data) }, 201);
      });
      app.get("/__dev/webhooks", (c) => c.json({ url: options.url, requireTag: options.requireTag ?? null, firings: firings }));
      return app;
    },
  };
}
