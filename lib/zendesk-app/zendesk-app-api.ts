import "server-only";
import { z } from "zod";
import { helpdeskSettings } from "@/lib/helpdesk/helpdesk-settings";
import { createTokenSource, type TokenSource } from "@/lib/helpdesk/oauth-token";
import { createTransport } from "@/lib/helpdesk/zendesk-http";
import { getLogger } from "@/lib/platform/logger";

/**
 * The two Zendesk reads the sidebar app needs that the ticket client does not
 * make: who a Zendesk user is (Show User: the agent named by a signed load)
 * and the app's public key (GET /api/v2/apps/{app_id}/public_key.pem), with
 * the same OAuth client-credentials token source as lib/helpdesk (read scope).
 * Answers the agent waits for: 3 s per request, one renewal of a refused token.
 */
export interface ZendeskAgent {
  id: string;
  email: string | null;
  name: string;
  role: string;
  active: boolean;
}

export class ZendeskAppReadError extends Error {
  override name = "ZendeskAppReadError";
}

const TIMEOUT_MS = 3000;
const MAX_PEM_BYTES = 16 * 1024;

const showUserSchema = z.object({
  user: z.object({
    id: z.number().int().positive(),
    name: z.string(),
    email: z.string().nullish(),
    role: z.string(),
    active: z.boolean().optional(),
    suspended: z.boolean().nullish(),
  }),
});

interface Connection {
  baseUrl: string;
  tokens: TokenSource;
}

const holder = globalThis as unknown as { __scopedeskZendeskAppApi?: Connection | null };

function connection(): Connection | null {
  if (holder.__scopedeskZendeskAppApi !== undefined) return holder.__scopedeskZendeskAppApi;
  const settings = helpdeskSettings(process.env);
  if (!settings.connected) return (holder.__scopedeskZendeskAppApi = null);
  const { baseUrl, clientId, clientSecret } = settings.client;
  const transport = createTransport({
    baseUrl,
    timeoutMs: TIMEOUT_MS,
    maxRetries: 1,
    maxRetryWaitMs: 2000,
    fetch,
    logger: getLogger().child({ component: "zendesk-app" }),
    now: Date.now,
  });
  return (holder.__scopedeskZendeskAppApi = {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    tokens: createTokenSource({ transport, clientId, clientSecret, now: Date.now }),
  });
}

/** GET with the cached token; a 401 renews it once. */
async function authedGet(path: string, accept: string): Promise<Response> {
  const zendesk = connection();
  if (!zendesk) throw new ZendeskAppReadError("The helpdesk is not connected (ZENDESK_CLIENT_ID, ZENDESK_CLIENT_SECRET).");
  for (let attempt = 1; ; attempt++) {
    const token = await zendesk.tokens.get().catch((error: unknown) => {
      throw new ZendeskAppReadError(`No Zendesk token: ${error instanceof Error ? error.message : String(error)}`);
    });
    const response = await fetch(`${zendesk.baseUrl}${path}`, {
      headers: { accept, authorization: `Bearer ${token}` },
      redirect: "error",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    }).catch((error: unknown) => {
      throw new ZendeskAppReadError(`Zendesk did not answer ${path.replace(/\d+/g, "{id}")}: ${(error as Error).name}`);
    });
    if (response.status === 401 && attempt === 1) {
      zendesk.tokens.invalidate(token);
      continue;
    }
    return response;
  }
}

/** The Zendesk user, or null when Zendesk has no such user. */
export async function readZendeskAgent(userId: string): Promise<ZendeskAgent | null> {
  const response = await authedGet(`/api/v2/users/${userId}.json`, "application/json");
  if (response.status === 404) return null;
  if (!response.ok) throw new ZendeskAppReadError(`Zendesk answered ${response.status} to Show User.`);
  const parsed = showUserSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success || String(parsed.data.user.id) !== userId) throw new ZendeskAppReadError("Zendesk's Show User answer is not a user.");
  const { user } = parsed.data;
  return {
    id: String(user.id),
    email: user.email ?? null,
    name: user.name,
    role: user.role,
    active: user.active !== false && user.suspended !== true,
  };
}

/** The installed app's public key (PEM), as Zendesk publishes it for signed URLs. */
export async function readAppPublicKeyPem(appId: string): Promise<string> {
  const response = await authedGet(`/api/v2/apps/${appId}/public_key.pem`, "application/x-pem-file, text/plain");
  if (!response.ok) throw new ZendeskAppReadError(`Zendesk answered ${response.status} to the app's public key.`);
  const text = await response.text();
  if (text.length > MAX_PEM_BYTES || !/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/.test(text)) {
    throw new ZendeskAppReadError("Zendesk's answer for the app's public key is not a PEM public key.");
  }
  return text;
}
