/**
 * The development Zendesk's side of the Scopedesk ticket-sidebar app
 * (docs/decisions/030-zendesk-sidebar-app.md), so the whole flow runs in the
 * demo and in the tests as it does in Zendesk:
 *
 *  - one installed app (APP_ID) and installation (INSTALLATION_ID), with an RSA
 *    key pair made at start; its public key at GET /api/v2/apps/{app_id}/public_key.pem;
 *  - the ticket page /agent/tickets/{id} shows the app in a sidebar iframe: the
 *    page POSTs a form with the field `token` (a JWT signed RS256 with the app's
 *    private key, claims as Zendesk sends them) into the iframe, to the app's
 *    URL with `origin` and `app_guid` in the query;
 *  - a stand-in for the Apps framework SDK (ZAFClient.init, get, invoke resize)
 *    at /zendesk_app_framework_sdk/2.0/zaf_sdk.min.js, talking to the ticket page
 *    by postMessage;
 *  - the agents who may open it (the development IdP's staff, as Zendesk agents)
 *    and GET /api/v2/users/{id} (Show User) to read one;
 *  - a form to open a ticket as a customer would (/agent/tickets/new).
 *
 * `?as=<e-mail>` on a ticket page picks the signed-in agent (default agent@scopedesk.test).
 * Control endpoints (no authentication, like the rest of /__dev):
 *   POST /__dev/app/tokens   { email? | userId?, aud?, iss?, sub?, expiresInSeconds? }: a token as the page would sign it
 *   POST /__dev/app/agents   { email, name?, role? }: a Zendesk user who may open the app (201 { id })
 */
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { Hono, type Context } from "hono";
import { SignJWT } from "jose";
import { z } from "zod";
import { DEV_STAFF } from "../dev-idp/users";
import { readAppManifest, resolveLocationUrl, SCOPEDESK_URL_SETTING } from "../lib/zendesk-app-package";
import { allows, type DevTokens } from "./oauth";
import type { DevTicket, DevUser, DevZendeskStore } from "./store";
import { escapeHtml, userJson } from "./wire";

export const DEV_ZENDESK_APP_ID = 1_000_001;
export const DEV_ZENDESK_INSTALLATION_ID = 2_000_001;
const FIRST_AGENT_ID = 36_000_000_500;
const TOKEN_LIFETIME_SECONDS = 300;
export const DEV_ZAF_SDK_PATH = "/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js";

export interface DevZendeskAppOptions {
  /** Scopedesk's origin, e.g. http://localhost:3000: the installation's `scopedesk_url` setting, filled into the manifest's location. */
  scopedeskUrl: string;
}

export interface DevZendeskApps {
  appId: number;
  installationId: number;
  publicKeyPem: string;
  /** A token for the installation, as the ticket page signs it for an agent. */
  signAppToken(claims: { userId: number; aud?: string; iss?: string; sub?: string; expiresInSeconds?: number }): Promise<string>;
  /** Adds a Zendesk user who may open the app; its id. */
  addAgent(input: { email: string; name?: string; role?: DevUser["role"] }): number;
  /** The agent with this e-mail (a user of the store or an agent added here). */
  agentByEmail(email: string): DevUser | undefined;
  /** Show User and the public key (under /api, behind the bearer check), the SDK stand-in, the control endpoints. */
  routes(): Hono;
  /** The ticket page's sidebar: HTML for beside the conversation, and the headers the page then needs. */
  sidebarSlot(
    ticket: DevTicket,
    asEmail: string | undefined,
  ): Promise<{ aside: string; script: string; headers: Record<string, string> } | { error: string }>;
}

export function createDevZendeskApps(deps: {
  options: DevZendeskAppOptions;
  store: DevZendeskStore;
  tokens: DevTokens;
  origin: () => string;
}): DevZendeskApps {
  const { store, tokens, origin } = deps;
  const scopedeskOrigin = new URL(deps.options.scopedeskUrl).origin;
  // The location as Zendesk resolves it: the app's own manifest, with the installation's Scopedesk URL setting.
  const location = resolveLocationUrl(readAppManifest(new URL("../..", import.meta.url).pathname).location.support.ticket_sidebar.url, {
    [SCOPEDESK_URL_SETTING]: scopedeskOrigin,
  });
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const agents = new Map<number, DevUser>();
  let nextAgentId = FIRST_AGENT_ID;

  function agentByEmail(email: string): DevUser | undefined {
    const wanted = email.trim().toLowerCase();
    return (
      [...agents.values()].find((a) => a.email?.toLowerCase() === wanted) ??
      store.searchUsers(`email:${wanted}`).find((u) => u.role !== "end-user")
    );
  }

  function addAgent(input: { email: string; name?: string; role?: DevUser["role"] }): number {
    const existing = agentByEmail(input.email);
    if (existing) return existing.id;
    const id = nextAgentId++;
    agents.set(id, {
      id,
      name: input.name ?? input.email.split("@")[0]!,
      email: input.email.toLowerCase(),
      role: input.role ?? "agent",
      organizationId: null,
      createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
    return id;
  }
  // The development IdP's staff are the Zendesk account's agents, so a signed load maps to them.
  for (const staff of DEV_STAFF) addAgent({ email: staff.email, name: staff.name, role: staff.role === "admin" ? "admin" : "agent" });

  const userById = (id: number) => store.user(id) ?? agents.get(id);
  const host = () => new URL(origin()).host;
  const audience = () => `${origin()}/api/v2/apps/installations/${DEV_ZENDESK_INSTALLATION_ID}.json`;

  async function signAppToken(claims: { userId: number; aud?: string; iss?: string; sub?: string; expiresInSeconds?: number }) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: claims.iss ?? host(),
      aud: claims.aud ?? audience(),
      sub: claims.sub ?? `${origin()}/api/v2/users/${claims.userId}.json`,
      context: { product: "support", location: "ticket_sidebar" },
    })
      .setProtectedHeader({ alg: "RS256", typ: "JWT" })
      .setIssuedAt(now)
      .setExpirationTime(now + (claims.expiresInSeconds ?? TOKEN_LIFETIME_SECONDS))
      .sign(privateKey);
  }

  function routes(): Hono {
    const app = new Hono();
    const bearer = (c: Context, resource: string) => {
      const token = tokens.verify(c.req.header("authorization"));
      if (!token)
        return c.json(
          {
            error: "invalid_token",
            error_description: "The access token provided is expired, revoked, malformed or invalid for other reasons.",
          },
          401,
        );
      if (!allows(token, resource, "read"))
        return c.json(
          {
            error: "Forbidden",
            description: "You do not have access to this page. Please contact the account owner of this help desk for further help.",
          },
          403,
        );
      return null;
    };

    app.get("/api/v2/users/:user_id{[0-9]+(\\.json)?}", (c) => {
      const refused = bearer(c, "users");
      if (refused) return refused;
      const user = userById(Number(c.req.param("user_id").replace(/\.json$/, "")));
      if (!user) return c.json({ error: "RecordNotFound", description: "Not found" }, 404);
      return c.json({ user: userJson(user, origin()) });
    });

    app.get("/api/v2/apps/:app_id{[0-9]+}/public_key.pem", (c) => {
      const refused = bearer(c, "apps");
      if (refused) return refused;
      if (Number(c.req.param("app_id")) !== DEV_ZENDESK_APP_ID) return c.json({ error: "RecordNotFound", description: "Not found" }, 404);
      return c.body(publicKeyPem, 200, { "content-type": "application/x-pem-file" });
    });

    app.get(DEV_ZAF_SDK_PATH, (c) =>
      c.body(ZAF_SDK_STAND_IN, 200, {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      }),
    );

    const tokenRequest = z.strictObject({
      email: z.string().email().optional(),
      userId: z.number().int().positive().optional(),
      aud: z.string().optional(),
      iss: z.string().optional(),
      sub: z.string().optional(),
      expiresInSeconds: z.number().int().min(-86_400).max(86_400).optional(),
    });
    app.post("/__dev/app/tokens", async (c) => {
      const parsed = tokenRequest.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) return c.json({ error: "InvalidRequest", issues: parsed.error.issues.map((i) => i.message) }, 400);
      const { email, userId, ...claims } = parsed.data;
      const id = userId ?? (email ? agentByEmail(email)?.id : undefined);
      if (id === undefined) return c.json({ error: "UnknownAgent", description: `No agent ${email ?? ""}` }, 404);
      return c.json({ token: await signAppToken({ userId: id, ...claims }) }, 201);
    });

    const agentRequest = z.strictObject({
      email: z.string().email(),
      name: z.string().min(1).max(200).optional(),
      role: z.enum(["end-user", "agent", "admin"]).optional(),
    });
    app.post("/__dev/app/agents", async (c) => {
      const parsed = agentRequest.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) return c.json({ error: "InvalidRequest", issues: parsed.error.issues.map((i) => i.message) }, 400);
      return c.json({ id: addAgent(parsed.data) }, 201);
    });
    return app;
  }

  async function sidebarSlot(ticket: DevTicket, asEmail: string | undefined) {
    const agent = agentByEmail(asEmail ?? "agent@scopedesk.test");
    if (!agent) return { error: `No agent ${asEmail ?? ""} in the development Zendesk.` };
    const nonce = randomBytes(16).toString("base64");
    const appGuid = randomUUID();
    const requester = store.user(ticket.requesterId);
    const action = `${location}?${new URLSearchParams({ origin: origin(), app_guid: appGuid })}`;
    const context = {
      appGuid,
      appOrigin: scopedeskOrigin,
      values: {
        "ticket.id": ticket.id,
        "ticket.subject": ticket.subject,
        "ticket.requester.email": requester?.email ?? null,
        "currentUser.id": agent.id,
        "currentUser.email": agent.email,
        "currentUser.name": agent.name,
      },
    };
    const aside = `<aside class="app" aria-label="Apps">
<p class="app-title">Scopedesk <span class="as">as ${escapeHtml(agent.name)} &lt;${escapeHtml(agent.email ?? "")}&gt;</span></p>
<iframe id="scopedesk-app" name="scopedesk-app-${appGuid}" title="Scopedesk" src="about:blank"></iframe>
<form id="scopedesk-app-form" method="post" action="${escapeHtml(action)}" target="scopedesk-app-${appGuid}">
<input type="hidden" name="token" value="${escapeHtml(await signAppToken({ userId: agent.id }))}">
</form>
</aside>`;
    const script = `<script type="application/json" id="zaf-context">${JSON.stringify(context).replace(/</g, "\\u003c")}</script>
<script nonce="${nonce}">${ZAF_HOST}</script>`;
    const headers = {
      "Content-Security-Policy": [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        "style-src 'unsafe-inline'",
        "connect-src 'self'",
        `frame-src ${scopedeskOrigin}`,
        `form-action ${scopedeskOrigin}`,
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join("; "),
    };
    return { aside, script, headers };
  }

  return {
    appId: DEV_ZENDESK_APP_ID,
    installationId: DEV_ZENDESK_INSTALLATION_ID,
    publicKeyPem,
    signAppToken,
    addAgent,
    agentByEmail,
    routes,
    sidebarSlot,
  };
}

/**
 * The ticket page's half of the Apps framework: submits the signed form into
 * the app's frame, answers the frame's SDK (get: the ticket and the agent;
 * invoke resize: the frame's height) for that frame and origin only, and
 * refreshes the conversation beside it every 5 s without reloading the app.
 */
const ZAF_HOST = `(() => {
  const context = JSON.parse(document.getElementById("zaf-context").textContent);
  const frame = document.getElementById("scopedesk-app");
  window.addEventListener("message", (event) => {
    const message = event.data;
    if (event.source !== frame.contentWindow || event.origin !== context.appOrigin) return;
    if (!message || message.__devZaf !== 1 || message.appGuid !== context.appGuid) return;
    let result = {};
    if (message.op === "get") {
      for (const path of [].concat(message.paths)) {
        if (Object.prototype.hasOwnProperty.call(context.values, path)) result[path] = context.values[path];
        else (result.errors = result.errors || {})[path] = { message: "No such path in the development Zendesk" };
      }
    } else if (message.op === "invoke" && message.name === "resize") {
      const height = /^\\d{1,5}px$/.test(String(message.args && message.args[0] && message.args[0].height)) ? message.args[0].height : null;
      if (height) frame.style.height = height;
    }
    event.source.postMessage({ __devZaf: 1, id: message.id, result }, context.appOrigin);
  });
  document.getElementById("scopedesk-app-form").submit();
  setInterval(async () => {
    try {
      const response = await fetch(location.pathname + "?frame=conversation", { cache: "no-store" });
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("[data-conversation]");
      const current = document.querySelector("[data-conversation]");
      if (fresh && current && fresh.innerHTML !== current.innerHTML) current.innerHTML = fresh.innerHTML;
    } catch {}
  }, 5000);
})();`;

/**
 * Stands in for https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js in the
 * development Zendesk: ZAFClient.init() reads origin and app_guid from the frame's query as the
 * SDK does, and get/invoke go to the ticket page by postMessage, to that origin only.
 */
const ZAF_SDK_STAND_IN = `(() => {
  const params = new URLSearchParams(location.search);
  const origin = params.get("origin");
  const appGuid = params.get("app_guid");
  const pending = new Map();
  let next = 0;
  window.addEventListener("message", (event) => {
    const message = event.data;
    if (event.origin !== origin || event.source !== window.parent || !message || message.__devZaf !== 1) return;
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    waiting(message.result);
  });
  const call = (op, payload) =>
    new Promise((resolve) => {
      const id = ++next;
      pending.set(id, resolve);
      window.parent.postMessage(Object.assign({ __devZaf: 1, id, appGuid, op }, payload), origin);
    });
  window.ZAFClient = {
    init() {
      if (!origin || !appGuid || window.parent === window) return false;
      return {
        get: (paths) => call("get", { paths }),
        invoke: (name, ...args) => call("invoke", { name, args }),
      };
    },
  };
})();`;
