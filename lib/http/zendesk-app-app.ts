import { Hono, type Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { RequestMeta } from "@/lib/audit/append-audit-event";
import { getConfig } from "@/lib/platform/config";
import { AppError } from "@/lib/platform/errors";
import { acceptTriageWebhook } from "@/lib/triage/accept-triage-webhook";
import { verifyWebhookSignature } from "@/lib/triage/webhook-signature";
import { openSidebarSession, type SidebarRefusal } from "@/lib/zendesk-app/open-sidebar-session";
import { sidebarCookie, sidebarPageLocation } from "@/lib/zendesk-app/sidebar-credential";
import { consoleErrorResponse } from "./console/console-errors";
import type { HttpBindings } from "./context";
import { findBadJsonText } from "./input";
import { requestContext } from "./middleware/request-context";
import { BodyReadError, readBody, readBodyBytes } from "./read-body";
import { framedPlainPagePolicy, zendeskFrameAncestors } from "./security-headers";
import { webhookTicketId } from "./zendesk-app/webhook-body";

/**
 * /api/zendesk-app: what Zendesk itself calls (decisions 030 and 031). Not
 * behind the staff session, because the caller is Zendesk, not a signed-in
 * browser: each request proves itself instead.
 *
 *   POST /api/zendesk-app/sidebar   the app's signed first load (form field `token`, a JWT Zendesk signed):
 *                                   opens a sidebar session and continues to /zendesk-app/sidebar (303),
 *                                   or answers a refusal page the Zendesk frame shows (4xx, no data)
 *   POST /api/zendesk-app/webhook   a new ticket (X-Zendesk-Webhook-Signature): triage queued once per ticket
 *
 * The console's CSRF rule (JSON from our own origin) cannot hold for the first:
 * Zendesk's frame posts a form from Zendesk's origin. Its token is the proof
 * instead (signed by Zendesk for this installation, short-lived, accepted once);
 * decision 030 says why that is enough.
 */
type Env = { Bindings: HttpBindings; Variables: { meta: RequestMeta } };

const FORM_LIMIT = 16 * 1024;
const WEBHOOK_LIMIT = 64 * 1024;

export function createZendeskAppApi(): Hono<Env> {
  const app = new Hono<Env>();
  app.onError((error, c) => consoleErrorResponse(c, error));
  app.post("/sidebar", requestContext({ frameable: true }), sidebarLoad);
  app.post("/webhook", requestContext(), triageWebhook);
  app.all("*", requestContext(), (c) => {
    const path = new URL(c.req.url).pathname;
    const known = path === "/api/zendesk-app/sidebar" || path === "/api/zendesk-app/webhook";
    if (known) {
      return consoleErrorResponse(
        c,
        new AppError("method_not_allowed", `${c.req.method.slice(0, 20)} is not allowed on ${path}; use POST.`),
        {
          allow: "POST",
        },
      );
    }
    return consoleErrorResponse(
      c,
      new AppError("not_found", `There is no API endpoint ${c.req.method.slice(0, 20)} ${path.slice(0, 200)}.`),
    );
  });
  return app;
}

const REFUSAL_STATUS: Record<SidebarRefusal, ContentfulStatusCode> = {
  malformed: 400,
  bad_signature: 401,
  wrong_audience: 401,
  wrong_issuer: 401,
  expired: 401,
  not_yet_valid: 401,
  no_agent: 401,
  replayed: 401,
  unknown_agent: 403,
  not_an_agent: 403,
  unknown_staff: 403,
  ambiguous_staff: 403,
  disabled_staff: 403,
  not_configured: 404,
  key_unavailable: 503,
  helpdesk_unavailable: 503,
};

async function sidebarLoad(c: Context<Env>): Promise<Response> {
  const config = getConfig();
  const ancestors = zendeskFrameAncestors(config.helpdesk);
  const refusal = (status: ContentfulStatusCode, reason: string, message: string) =>
    c.body(refusalPage(message, c.get("meta").requestId), status, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": framedPlainPagePolicy(ancestors),
      "x-scopedesk-refusal": reason,
    });
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(c.req.header("content-type") ?? "")) {
    return refusal(400, "malformed", "Open Scopedesk from its app in Zendesk: this address takes only Zendesk's signed form.");
  }
  let form: URLSearchParams;
  try {
    form = new URLSearchParams(await readBody(c, FORM_LIMIT));
  } catch (error) {
    if (!(error instanceof BodyReadError)) throw error;
    return refusal(error.kind === "too_large" ? 413 : 400, "malformed", "The signed form is too large or is not text.");
  }
  const opened = await openSidebarSession(form.get("token") ?? "", c.get("meta"));
  if (!opened.ok) return refusal(REFUSAL_STATUS[opened.refusal], opened.refusal, opened.message);

  // Over https the session is a partitioned cookie; in plain-http development the page keeps it (decision 030).
  const https = (config.publicUrl ?? new URL(c.req.url).origin).startsWith("https:");
  const location = sidebarPageLocation({
    query: new URL(c.req.url).searchParams,
    zendeskOrigins: ancestors,
    credentialInFragment: https ? null : opened.credential,
  });
  const maxAge = Math.max(0, Math.floor((opened.expiresAt.getTime() - Date.now()) / 1000));
  return c.body(null, 303, { location, ...(https ? { "set-cookie": sidebarCookie(opened.credential, maxAge) } : {}) });
}

async function triageWebhook(c: Context<Env>): Promise<Response> {
  const secret = getConfig().zendeskWebhookSecret;
  if (!secret) throw new AppError("not_found", "This Scopedesk has no triage webhook (ZENDESK_WEBHOOK_SECRET is not set).");
  let bytes: Uint8Array;
  try {
    bytes = await readBodyBytes(c, WEBHOOK_LIMIT);
  } catch (error) {
    if (!(error instanceof BodyReadError)) throw error;
    throw error.kind === "too_large"
      ? new AppError("payload_too_large", `The webhook body is larger than ${WEBHOOK_LIMIT} bytes.`)
      : new AppError("bad_request", error.message);
  }
  const check = verifyWebhookSignature({
    secret,
    signature: c.req.header("x-zendesk-webhook-signature"),
    timestamp: c.req.header("x-zendesk-webhook-signature-timestamp"),
    body: bytes,
    now: Date.now(),
  });
  if (!check.ok) throw new AppError("unauthenticated", check.message, { reason: check.refusal });

  let text: string;
  let body: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    body = JSON.parse(text) as unknown;
  } catch {
    throw new AppError("bad_request", "The webhook body is not JSON in UTF-8.");
  }
  const bad = findBadJsonText(text, body);
  if (bad) throw new AppError("bad_request", `Invalid body: ${bad.message}`, { field: bad.where });
  const ticket = webhookTicketId(body);
  if (!ticket.ok) throw new AppError("bad_request", ticket.message, { field: "ticket_id" });

  const accepted = await acceptTriageWebhook({ ticketId: ticket.ticketId, replayKey: check.replayKey, signedAt: check.signedAt });
  if (accepted === "replayed")
    throw new AppError("conflict", "This webhook request was received before: a replay is not triaged again.", { reason: "replayed" });
  return c.json({ ticketId: ticket.ticketId, status: accepted }, accepted === "queued" ? 202 : 200);
}

function refusalPage(message: string, requestId: string): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Scopedesk</title></head><body style="font:14px/1.5 system-ui,sans-serif;margin:1rem;color:#111827"><h1 style="font-size:1rem">Scopedesk cannot open here</h1><p role="alert">${escape(message)}</p><p style="color:#4b5563;font-size:12px">Request id: ${escape(requestId)}</p></body></html>`;
}
