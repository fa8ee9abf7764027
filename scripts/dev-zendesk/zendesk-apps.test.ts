import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createPublicKey } from "node:crypto";
import { OpenAPIBackend, type Document } from "openapi-backend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { verifyAppToken } from "@/lib/zendesk-app/app-token";
import { verifyWebhookSignature } from "@/lib/triage/webhook-signature";
import { CONTRACT_PATH } from "@/tests/support/zendesk-contract";
import { startDevZendesk, type DevZendesk } from "./server";
import { DEV_WEBHOOK_ID } from "./webhooks";
import { DEV_ZAF_SDK_PATH, DEV_ZENDESK_APP_ID, DEV_ZENDESK_INSTALLATION_ID } from "./zendesk-apps";

/**
 * The development Zendesk's side of the sidebar app and the triage webhook:
 * what it signs and sends must be what Scopedesk's checks accept, and its
 * Show User answer what Zendesk's description says.
 */
const SECRET = "dev-zendesk-test-webhook-secret-0123456789";
const received: { headers: IncomingMessage["headers"]; body: Buffer }[] = [];
let receiver: ReturnType<typeof createServer>;
let zendesk: DevZendesk;
let token: string;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req
      .on("data", (c: Buffer) => chunks.push(c))
      .on("end", () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(202, { "content-type": "application/json" }).end("{}");
      });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/zendesk-app/webhook`;
  zendesk = await startDevZendesk({
    port: 0,
    log: () => {},
    app: { scopedeskUrl: "http://localhost:3999" },
    webhook: { url: webhookUrl, secret: SECRET, requireTag: "triage" },
  });
  const answer = await fetch(`${zendesk.url}/oauth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: zendesk.clientId,
      client_secret: zendesk.clientSecret,
      scope: "read",
    }),
  });
  token = ((await answer.json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await zendesk?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const expectation = () => ({ baseUrl: zendesk.url, installationId: String(DEV_ZENDESK_INSTALLATION_ID) });

describe("the installed Scopedesk app", () => {
  it("publishes its public key to a bearer of a read token only", async () => {
    const path = `${zendesk.url}/api/v2/apps/${DEV_ZENDESK_APP_ID}/public_key.pem`;
    expect((await fetch(path)).status).toBe(401);
    const answer = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe(zendesk.apps!.publicKeyPem);
    expect((await fetch(`${zendesk.url}/api/v2/apps/42/public_key.pem`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      404,
    );
  });

  it("shows the ticket with the app beside it: a form with a signed token POSTed into the app's frame", async () => {
    const page = await (await fetch(`${zendesk.url}/agent/tickets/4242?as=lead@scopedesk.test`)).text();
    expect(page).toContain('<iframe id="scopedesk-app"');
    const action = /<form id="scopedesk-app-form" method="post" action="([^"]+)" target="scopedesk-app-[0-9a-f-]+">/.exec(page)?.[1];
    expect(action?.replace(/&#38;/g, "&")).toMatch(
      new RegExp(
        `^http://localhost:3999/api/zendesk-app/sidebar\\?origin=${encodeURIComponent(zendesk.url).replace(/\./g, "\\.")}&app_guid=[0-9a-f-]{36}$`,
      ),
    );
    const signed = /name="token" value="([^"]+)"/.exec(page)![1]!;
    const check = await verifyAppToken(signed, createPublicKey(zendesk.apps!.publicKeyPem), expectation(), new Date());
    expect(check.ok).toBe(true);
    const lead = zendesk.apps!.agentByEmail("lead@scopedesk.test")!;
    if (check.ok) expect(check.token.zendeskUserId).toBe(String(lead.id));
    // The conversation alone (what the page's script refreshes) carries no app and no token.
    const conversation = await (await fetch(`${zendesk.url}/agent/tickets/4242?frame=conversation`)).text();
    expect(conversation).toContain("data-conversation");
    expect(conversation).not.toContain("scopedesk-app");
    expect((await fetch(`${zendesk.url}/agent/tickets/4242?as=nobody@example.com`)).status).toBe(404);
  });

  it("lets only the page's own script run and frame only Scopedesk", async () => {
    const answer = await fetch(`${zendesk.url}/agent/tickets/4242`);
    const policy = answer.headers.get("content-security-policy")!;
    expect(policy).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(policy).toContain("frame-src http://localhost:3999");
    expect(policy).toContain("form-action http://localhost:3999");
    expect(policy).toContain("frame-ancestors 'none'");
    const sdk = await fetch(`${zendesk.url}${DEV_ZAF_SDK_PATH}`);
    expect(sdk.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await sdk.text()).toContain("window.ZAFClient");
  });

  it("answers Show User for the agents who may open it, as Zendesk's description shapes it", async () => {
    const agent = zendesk.apps!.agentByEmail("admin@scopedesk.test")!;
    const answer = await fetch(`${zendesk.url}/api/v2/users/${agent.id}.json`, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { user: { email: string; role: string } };
    expect(body.user).toMatchObject({ email: "admin@scopedesk.test", role: "admin" });
    expect(await showUserProblems(body)).toEqual([]);
    expect((await fetch(`${zendesk.url}/api/v2/users/${agent.id}`)).status).toBe(401);
    expect((await fetch(`${zendesk.url}/api/v2/users/1`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });
});

describe("the triage webhook", () => {
  it("fires, signed as Zendesk signs, for a new ticket with the trigger's tag only", async () => {
    received.length = 0;
    const open = (tags: string[]) =>
      fetch(`${zendesk.url}/__dev/tickets`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ requesterEmail: "ops@acme-legacy.example", tags }),
      }).then(async (r) => ((await r.json()) as { id: number }).id);
    await open([]);
    const id = await open(["triage"]);
    await zendesk.webhooks!.settled();
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(JSON.parse(request!.body.toString())).toMatchObject({ ticket_id: String(id) });
    expect(request!.headers["x-zendesk-webhook-id"]).toBe(DEV_WEBHOOK_ID);
    const check = verifyWebhookSignature({
      secret: SECRET,
      signature: request!.headers["x-zendesk-webhook-signature"] as string,
      timestamp: request!.headers["x-zendesk-webhook-signature-timestamp"] as string,
      body: request!.body,
      now: Date.now(),
    });
    expect(check.ok).toBe(true);
    // Fired again on request, twice at once: each firing its own invocation, signed on its own.
    const firings = await zendesk.webhooks!.fire(id, { times: 2, concurrent: true });
    expect(firings.map((f) => f.status)).toEqual([202, 202]);
    expect(new Set(received.slice(1).map((r) => r.headers["x-zendesk-webhook-invocation-id"])).size).toBe(2);
  });
});

/** Show User's answer checked against Zendesk's official description (UserResponse). */
async function showUserProblems(body: unknown): Promise<string[]> {
  const spec = parse(readFileSync(CONTRACT_PATH, "utf8")) as { paths: Record<string, unknown> };
  spec.paths = { "/api/v2/users/{user_id}": spec.paths["/api/v2/users/{user_id}"] };
  const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
  const api = new OpenAPIBackend({
    definition: spec as unknown as Document,
    ajvOpts: { allErrors: true },
    customizeAjv: (ajv) =>
      ajv
        .addFormat("date-time", { type: "string", validate: (s: string) => DATE_TIME.test(s) })
        .addFormat("email", { type: "string", validate: /^[^\s@]+@[^\s@]+\.[^\s@]+$/ })
        .addFormat("uri", { type: "string", validate: (s: string) => URL.canParse(s) }),
  });
  await api.init();
  const check = api.validator.validateResponse(body, "ShowUser", 200);
  return (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
