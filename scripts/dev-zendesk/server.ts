/**
 * The development Zendesk: the few Zendesk Support API calls Scopedesk makes
 * (api.ts), with OAuth client credentials (oauth.ts), seeded tickets
 * (seed.ts), injected faults (faults.ts) and an agents' view (agent-pages.ts).
 *
 * For development, demos and tests only: plain http on loopback, everything
 * in memory and lost on close. The control endpoints (/__dev/*) have no
 * authentication.
 *
 *   POST   /__dev/faults   a fault (faults.ts) as JSON; 201 with it as parsed
 *   GET    /__dev/faults   the faults still waiting
 *   DELETE /__dev/faults   drop them
 *   GET    /__dev/stats    request counts (DELETE resets them)
 *   POST   /__dev/tickets  opens a ticket: { subject?, requesterEmail?, requesterName?, id?, tags? }; 201 with its id and agents' URL
 *   POST   /__dev/tickets/{id}/status  { status }: sets it as an agent would ("closed": every update is refused)
 *   POST   /__dev/tickets/{id}/assignee  { email, name? } or { email: null }: assigns it to that agent (made when unknown), or to nobody
 *   GET    /__dev/limits   the rate limits (limits.ts)
 *   POST   /__dev/limits   changes some: { accountRequests?, accountWindowSeconds?, ticketUpdates?, ticketWindowSeconds? }; counting restarts
 *   DELETE /__dev/limits   back to Zendesk's, counting restarts
 *   POST   /__dev/tokens   { lifetimeSeconds?: n | null, announced?: bool }: new tokens live n seconds (oauth.ts)
 *
 * With `app`, the Scopedesk sidebar app is installed (zendesk-apps.ts: signed loads, its public key,
 * Show User, the SDK stand-in); with `webhook`, a new ticket fires the triage webhook (webhooks.ts).
 */
import { getRequestListener } from "@hono/node-server";
import { z } from "zod";
import { Hono, type MiddlewareHandler } from "hono";
import { createServer } from "node:http";
import { closeServer, urlHost } from "../lib/local-server";
import type { AddressInfo } from "node:net";
import { notFoundPage, PAGE_HEADERS, ticketListPage, ticketPage } from "./agent-pages";
import { zendeskApi } from "./api";
import { faultSchema, FaultQueue, type DevZendeskFault, type DevZendeskFaultInput } from "./faults";
import { DevRateLimits, limitsSchema, ZENDESK_LIMITS, type DevLimits } from "./limits";
import { DevTokens, type TokenLifetime } from "./oauth";
import { devZendeskSeed, INTEGRATION_USER } from "./seed";
import { newTicketRoutes } from "./new-ticket-page";
import { DevZendeskStore, type DevComment, type DevTicket, type DevTicketStatus } from "./store";
import { createDevWebhooks, type DevWebhookOptions, type DevWebhooks } from "./webhooks";
import { createDevZendeskApps, type DevZendeskAppOptions, type DevZendeskApps } from "./zendesk-apps";

export interface DevZendeskOptions {
  /** TCP port; 0 picks a free one (url then names the real port). */
  port: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Default "scopedesk". */
  clientId?: string;
  /** Default "scopedesk-dev-zendesk-secret". */
  clientSecret?: string;
  /** Added to every API answer, in ms (the benchmark uses 100). Default 0. */
  latencyMs?: number;
  /** Receives each log line (already prefixed with "[dev-zendesk]"). Default console.log. */
  log?: (line: string) => void;
  /** Its clock, ms since the epoch (comment times, token expiry, rate-limit windows). Default Date.now. */
  now?: () => number;
  /** Zendesk's rate limits (limits.ts), default as Zendesk documents them; POST /__dev/limits changes them. */
  limits?: Partial<DevLimits>;
  /** Shorter-lived tokens (oauth.ts); POST /__dev/tokens changes it. Default: as the client asks. */
  tokenLifetime?: Partial<TokenLifetime>;
  /** The Scopedesk sidebar app, installed (zendesk-apps.ts). */
  app?: DevZendeskAppOptions;
  /** The triage webhook a new ticket fires (webhooks.ts). */
  webhook?: DevWebhookOptions;
  /**
   * The least number a new ticket gets (default 100001). The demo passes one past the highest ticket
   * Scopedesk's database knows, so numbers are not reused across restarts (tickets live in memory here).
   */
  firstTicketId?: number;
}

export interface DevZendeskStats {
  /** API requests (/api/…, /oauth/…) received, faulted ones included. */
  requests: number;
  /** The same by "METHOD /path" with ids as {id}, e.g. "PUT /api/v2/tickets/{id}". */
  byRoute: Record<string, number>;
  tokensIssued: number;
  faultsServed: number;
  /** API requests answered 429 by the rate limits (limits.ts), not by an injected fault. */
  rateLimited: number;
}

export interface DevZendesk {
  /** http://host:port; the API base URL and HELPDESK_BASE_URL for it. */
  url: string;
  clientId: string;
  clientSecret: string;
  injectFault(fault: DevZendeskFaultInput): DevZendeskFault;
  /** Changes the rate limits (merged with the current ones) and starts counting again. */
  setLimits(changes: Partial<DevLimits>): DevLimits;
  clearFaults(): void;
  stats(): DevZendeskStats;
  resetStats(): void;
  /** A ticket's comments as stored, oldest first. */
  comments(ticketId: number): DevComment[];
  /** Adds a comment as PUT would, by the integration user unless authorId says otherwise (e.g. to fill a ticket in a test). */
  addComment(
    ticketId: number,
    comment: { body?: string; htmlBody?: string; public: boolean; authorId?: number; marker?: string; status?: DevTicketStatus },
  ): DevComment;
  /** Sets a ticket's status as an agent (or Zendesk, closing a solved ticket) would; "closed" makes it refuse updates. */
  setTicketStatus(ticketId: number, status: DevTicketStatus): void;
  /** Every issued token stops working (the next API call answers 401). */
  revokeTokens(): void;
  /** How long new tokens live, and whether expires_in says so (oauth.ts). */
  setTokenLifetime(lifetime: Partial<TokenLifetime>): void;
  /** The installed Scopedesk app, when `app` was given. */
  apps: DevZendeskApps | null;
  /** The triage webhook, when `webhook` was given. */
  webhooks: DevWebhooks | null;
  close(): Promise<void>;
}

const newTicketSchema = z.object({
  id: z.number().int().min(1).max(999_999_999_999_999).optional(),
  subject: z.string().min(1).max(300).default("A test ticket"),
  description: z.string().min(1).max(5000).default("Please enable the erase-job scopes on our account."),
  requesterEmail: z.string().email().default("someone@customer.example"),
  requesterName: z.string().min(1).max(200).default("Test Requester"),
  /** What a trigger may test (webhooks.ts: requireTag). */
  tags: z
    .array(z.string().regex(/^[a-z0-9_-]{1,80}$/i))
    .max(20)
    .default([]),
});

const tokenLifetimeSchema = z.strictObject({
  lifetimeSeconds: z.number().int().min(1).max(172_799).nullable().optional(),
  announced: z.boolean().optional(),
});

const ticketStatusSchema = z.strictObject({ status: z.enum(["new", "open", "pending", "hold", "solved", "closed"]) });
const ticketAssigneeSchema = z.strictObject({ email: z.string().email().max(254).nullable(), name: z.string().min(1).max(200).optional() });

export const DEV_ZENDESK_DEFAULT_CLIENT_ID = "scopedesk";
export const DEV_ZENDESK_DEFAULT_CLIENT_SECRET = "scopedesk-dev-zendesk-secret";

const FAULT_ERRORS: Record<number, [string, string]> = {
  429: ["APIRateLimitExceeded", "Number of allowed API requests per minute exceeded"],
  500: ["InternalServerError", "Something went wrong on our end (injected fault)"],
  503: ["ServiceUnavailable", "The service is temporarily unavailable (injected fault)"],
};

export async function startDevZendesk(opts: DevZendeskOptions): Promise<DevZendesk> {
  const host = opts.host ?? "127.0.0.1";
  const clientId = opts.clientId ?? DEV_ZENDESK_DEFAULT_CLIENT_ID;
  const clientSecret = opts.clientSecret ?? DEV_ZENDESK_DEFAULT_CLIENT_SECRET;
  const latencyMs = opts.latencyMs ?? 0;
  const log = (message: string) => (opts.log ?? console.log)(`[dev-zendesk] ${message}`);
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new TypeError(`dev-zendesk: port must be a whole number from 0 to 65535 (got ${opts.port})`);
  }
  if (!Number.isInteger(latencyMs) || latencyMs < 0)
    throw new TypeError(`dev-zendesk: latencyMs must be a whole number ≥ 0 (got ${latencyMs})`);

  const now = opts.now ?? Date.now;
  if (opts.firstTicketId !== undefined && (!Number.isSafeInteger(opts.firstTicketId) || opts.firstTicketId < 1)) {
    throw new TypeError(`dev-zendesk: firstTicketId must be a whole number ≥ 1 (got ${opts.firstTicketId})`);
  }
  const store = new DevZendeskStore(devZendeskSeed(), now, opts.firstTicketId);
  const tokens = new DevTokens(clientId, clientSecret, now);
  tokens.lifetime = { ...tokens.lifetime, ...opts.tokenLifetime };
  const faults = new FaultQueue();
  const limits = new DevRateLimits(opts.limits, now);
  const emptyStats = (): DevZendeskStats => ({ requests: 0, byRoute: {}, tokensIssued: 0, faultsServed: 0, rateLimited: 0 });
  let stats = emptyStats();
  let tokensAtReset = 0;
  let origin = "";
  let releaseHung: () => void = () => {};
  const closed = new Promise<void>((resolve) => (releaseHung = resolve));
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  const apiFront: MiddlewareHandler = async (c, next) => {
    const { method, path } = c.req;
    const started = performance.now();
    const route = `${method} ${path.replace(/\/\d+(?=\/|$)/g, "/{id}")}`;
    stats.requests++;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    if (latencyMs > 0) await sleep(latencyMs);
    // Zendesk's rate limits (limits.ts): counted before anything else, on every API answer.
    let limitHeaders: Record<string, string> = {};
    if (path.startsWith("/api/")) {
      const account = limits.request();
      limitHeaders = account.headers;
      const ticketUpdate = method === "PUT" ? /^\/api\/v2\/tickets\/(\d+)$/.exec(path) : null;
      const ticket = account.allowed && ticketUpdate ? limits.ticketUpdate(Number(ticketUpdate[1])) : ({ allowed: true } as const);
      const refusal = !account.allowed ? account : !ticket.allowed ? ticket : null;
      if (refusal) {
        stats.rateLimited++;
        c.res = rateLimitedResponse(refusal, limitHeaders);
        log(`${method} ${path} 429 (rate limit: ${refusal.description})`);
        return;
      }
    }
    const fault = faults.take(method, path);
    if (!fault) {
      await next();
    } else {
      stats.faultsServed++;
      log(`fault on ${method} ${path}: ${JSON.stringify(fault)}`);
      if (fault.apply) await next();
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.hang) await closed;
      const failure = fault.hang ? new Response(null, { status: 503 }) : fault.status !== undefined ? faultResponse(fault) : undefined;
      if (failure) {
        // Replaces whatever the applied request answered, headers included.
        c.res = undefined;
        c.res = failure;
      } else if (!fault.apply) {
        await next();
      }
    }
    for (const [name, value] of Object.entries(limitHeaders)) c.res.headers.set(name, value);
    log(`${method} ${path} ${c.res.status} ${Math.round(performance.now() - started)}ms`);
  };

  const apps = opts.app ? createDevZendeskApps({ options: opts.app, store, tokens, origin: () => origin }) : null;
  const webhooks = opts.webhook ? createDevWebhooks(opts.webhook, log) : null;
  const ticketCreated = (ticket: DevTicket, tags: readonly string[]) => webhooks?.ticketCreated(ticket.id, tags);

  const app = new Hono();
  app.use("/api/*", apiFront);
  app.use("/oauth/*", apiFront);
  if (apps) app.route("/", apps.routes());
  if (webhooks) app.route("/", webhooks.routes());
  app.route("/", newTicketRoutes({ store, created: ticketCreated }));
  app.route("/", zendeskApi({ store, tokens, limits, origin: () => origin }));

  app.post("/__dev/faults", async (c) => {
    const parsed = faultSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success)
      return c.json(
        { error: "InvalidFault", issues: parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`) },
        400,
      );
    return c.json({ fault: faults.add(parsed.data) }, 201);
  });
  app.get("/__dev/faults", (c) => c.json({ faults: faults.pending() }));
  app.delete("/__dev/faults", (c) => {
    faults.clear();
    return c.body(null, 204);
  });
  app.post("/__dev/tickets", async (c) => {
    const parsed = newTicketSchema.safeParse(await c.req.json().catch(() => ({})));
    if (!parsed.success)
      return c.json(
        { error: "InvalidTicket", issues: parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`) },
        400,
      );
    const ticket = store.createTicket(parsed.data);
    if (!ticket) return c.json({ error: "TicketExists", description: `Ticket #${parsed.data.id} exists already.` }, 409);
    ticketCreated(ticket, parsed.data.tags);
    return c.json({ id: ticket.id, url: `${origin}/agent/tickets/${ticket.id}` }, 201);
  });
  app.post("/__dev/tickets/:ticket_id{[0-9]+}/status", async (c) => {
    const parsed = ticketStatusSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success)
      return c.json({ error: "InvalidStatus", issues: ["status: one of new, open, pending, hold, solved, closed"] }, 400);
    const ticket = store.setStatus(Number(c.req.param("ticket_id")), parsed.data.status);
    if (!ticket) return c.json({ error: "RecordNotFound", description: `There is no ticket #${c.req.param("ticket_id")}.` }, 404);
    return c.json({ id: ticket.id, status: ticket.status });
  });
  app.post("/__dev/tickets/:ticket_id{[0-9]+}/assignee", async (c) => {
    const parsed = ticketAssigneeSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success)
      return c.json({ error: "InvalidAssignee", issues: ["email: an agent's e-mail address, or null for nobody; name?: text"] }, 400);
    const { email, name } = parsed.data;
    const ticket = store.assign(Number(c.req.param("ticket_id")), email === null ? null : { email, name });
    if (!ticket) return c.json({ error: "RecordNotFound", description: `There is no ticket #${c.req.param("ticket_id")}.` }, 404);
    return c.json({ id: ticket.id, assigneeId: ticket.assigneeId ?? null });
  });
  app.post("/__dev/tokens", async (c) => {
    const parsed = tokenLifetimeSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success)
      return c.json(
        { error: "InvalidTokenLifetime", issues: ["lifetimeSeconds: a whole number from 1, or null; announced: a boolean"] },
        400,
      );
    tokens.lifetime = { ...tokens.lifetime, ...parsed.data };
    return c.json({ tokens: tokens.lifetime });
  });
  app.get("/__dev/limits", (c) => c.json({ limits: limits.current() }));
  app.post("/__dev/limits", async (c) => {
    const parsed = limitsSchema.partial().safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success)
      return c.json(
        { error: "InvalidLimits", issues: parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`) },
        400,
      );
    return c.json({ limits: limits.set(parsed.data) });
  });
  app.delete("/__dev/limits", (c) => c.json({ limits: limits.set(ZENDESK_LIMITS) }));
  app.get("/__dev/stats", (c) => c.json(currentStats()));
  app.delete("/__dev/stats", (c) => {
    resetStats();
    return c.body(null, 204);
  });

  app.get("/", (c) => c.redirect("/agent/tickets"));
  app.get("/agent/tickets", (c) => c.body(ticketListPage(store), 200, PAGE_HEADERS));
  app.get("/agent/tickets/:ticket_id{[0-9]+}", async (c) => {
    const ticket = store.ticket(Number(c.req.param("ticket_id")));
    if (!ticket) return c.body(notFoundPage(`There is no ticket #${c.req.param("ticket_id")}.`), 404, PAGE_HEADERS);
    // With the app installed the page carries it in a sidebar; its script fetches ?frame=conversation to refresh.
    const slot = apps && c.req.query("frame") !== "conversation" ? await apps.sidebarSlot(ticket, c.req.query("as")) : undefined;
    if (slot && "error" in slot) return c.body(notFoundPage(slot.error), 404, PAGE_HEADERS);
    return c.body(ticketPage(store, ticket, slot), 200, { ...PAGE_HEADERS, ...slot?.headers });
  });
  app.notFound((c) => c.body(notFoundPage("There is no such page."), 404, PAGE_HEADERS));
  app.onError((err, c) => {
    log(`error on ${c.req.method} ${c.req.path}: ${err.message}`);
    return c.json({ error: "InternalServerError", description: "The development Zendesk hit an error. See its console." }, 500);
  });

  function currentStats(): DevZendeskStats {
    return { ...stats, byRoute: { ...stats.byRoute }, tokensIssued: tokens.issued - tokensAtReset };
  }
  function resetStats() {
    stats = emptyStats();
    tokensAtReset = tokens.issued;
  }

  // Zendesk answers every API path with or without ".json" (its own links and ticket.url carry it).
  const withoutJsonSuffix = (request: Request): Request => {
    const url = new URL(request.url);
    if (!/^\/api\/.*\.json$/.test(url.pathname)) return request;
    url.pathname = url.pathname.slice(0, -".json".length);
    return new Request(url, request);
  };
  const server = createServer(getRequestListener((request) => app.fetch(withoutJsonSuffix(request))));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${urlHost(host)}:${port}`;
  log(`listening at ${origin} (client "${clientId}", ${store.allTickets().length} tickets; agents' view at ${origin}/agent/tickets)`);

  let closing: Promise<void> | undefined;
  return {
    url: origin,
    clientId,
    clientSecret,
    injectFault: (fault) => faults.add(fault),
    setLimits: (changes) => limits.set(changes),
    clearFaults: () => faults.clear(),
    stats: currentStats,
    resetStats,
    comments: (ticketId) => [...store.commentsOf(ticketId)],
    addComment(ticketId, { marker, authorId, ...comment }) {
      const added = store.addComment(ticketId, {
        ...comment,
        authorId: authorId ?? INTEGRATION_USER.id,
        custom: marker === undefined ? {} : { scopedesk_marker: marker },
      });
      if (!added.ok) throw new Error(`dev-zendesk: cannot add a comment to #${ticketId} (${added.reason})`);
      return added.comment;
    },
    setTicketStatus(ticketId, status) {
      if (!store.setStatus(ticketId, status)) throw new Error(`dev-zendesk: no ticket #${ticketId}`);
    },
    revokeTokens: () => tokens.revokeAll(),
    setTokenLifetime: (lifetime) => {
      tokens.lifetime = { ...tokens.lifetime, ...lifetime };
    },
    apps,
    webhooks,
    close() {
      releaseHung();
      closing ??= (webhooks?.settled() ?? Promise.resolve()).then(() => closeServer(server)).then(() => log("stopped"));
      return closing;
    },
  };
}

function rateLimitedResponse(
  refusal: { retryAfterSeconds: number; error: string; description: string },
  headers: Record<string, string>,
): Response {
  return new Response(JSON.stringify({ error: refusal.error, description: refusal.description }), {
    status: 429,
    headers: { "content-type": "application/json; charset=utf-8", "retry-after": String(refusal.retryAfterSeconds), ...headers },
  });
}

function faultResponse(fault: DevZendeskFault): Response {
  const status = fault.status!;
  const [error, description] = FAULT_ERRORS[status] ?? ["InjectedFault", `Injected fault ${status}`];
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  // Zendesk always says when to come back on a 429; a 503 only sometimes.
  const retryAfter = fault.retryAfter ?? (status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
  return new Response(JSON.stringify({ error, description }), { status, headers });
}
