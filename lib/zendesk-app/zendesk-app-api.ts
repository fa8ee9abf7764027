import "server-only";
import { getZendesk } from "@/lib/helpdesk/get-zendesk";

/**
 * The two Zendesk reads the sidebar app needs: who a Zendesk user is (Show
 * User: the agent named by a signed load) and the app's public key (GET
 * /api/v2/apps/{app_id}/public_key.pem). Both are made by the helpdesk's
 * Zendesk client (lib/helpdesk/zendesk-client.ts: `getUser`,
 * `getAppPublicKeyPem`), the console's one: answers the agent waits for, 3 s
 * per request, one renewal of a refused token. Here they only get the names
 * and the error the sidebar's code uses.
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

function client() {
  const zendesk = getZendesk("console");
  if (!zendesk) throw new ZendeskAppReadError("The helpdesk is not connected (ZENDESK_CLIENT_ID, ZENDESK_CLIENT_SECRET).");
  return zendesk;
}

function readError(what: string) {
  return (error: unknown): never => {
    throw new ZendeskAppReadError(`Zendesk could not give ${what}: ${error instanceof Error ? error.message : String(error)}`);
  };
}

/** The Zendesk user, or null when Zendesk has no such user. */
export async function readZendeskAgent(userId: string): Promise<ZendeskAgent | null> {
  const user = await client().getUser(userId).catch(readError("the user"));
  return user && { id: String(user.id), email: user.email, name: user.name, role: user.role, active: user.active };
}

/** The installed app's public key (PEM), as Zendesk publishes it for signed URLs. */
export async function readAppPublicKeyPem(appId: string): Promise<string> {
  return client().getAppPublicKeyPem(appId).catch(readError("the app's public key"));
}
