/**
 * The access token for the Zendesk API, by OAuth client credentials:
 * POST /oauth/tokens with a JSON body (Zendesk reads the parameters from
 * JSON). The token is cached and renewed a minute before it expires;
 * concurrent callers share one token request. A token that came without
 * expires_in is kept until the API refuses it: the client then calls
 * invalidate() and asks once more.
 */
import type { ZendeskTransport } from "./zendesk-http";
import { tokenResponseSchema } from "./zendesk-schemas";

/** Read everything (tickets with their users and organizations, user search), write tickets only. */
export const TOKEN_SCOPE = "read tickets:write";
/** Asked for so that a leaked token dies on its own; Zendesk accepts 301 to 172,799 seconds. */
export const REQUESTED_TOKEN_LIFETIME_SECONDS = 3600;
const RENEW_EARLY_MS = 60_000;

export interface TokenSourceOptions {
  transport: ZendeskTransport;
  clientId: string;
  clientSecret: string;
  now: () => number;
}

export interface TokenSource {
  /** A token that is not about to expire. */
  get(): Promise<string>;
  /** The API refused this token (401): forget it, unless a newer one already replaced it. */
  invalidate(token: string): void;
}

export function createTokenSource(opts: TokenSourceOptions): TokenSource {
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function requestToken(): Promise<string> {
    // Counted from before the request, so a slow answer cannot stretch the token's life.
    const requestedAt = opts.now();
    const answer = await opts.transport({
      operation: "token",
      method: "POST",
      path: "/oauth/tokens",
      body: {
        grant_type: "client_credentials",
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        scope: TOKEN_SCOPE,
        expires_in: REQUESTED_TOKEN_LIFETIME_SECONDS,
      },
      // A second token does no harm.
      safeToRepeat: true,
      schema: tokenResponseSchema,
    });
    const lifetimeMs = answer.expires_in == null ? undefined : answer.expires_in * 1000;
    const renewAt = lifetimeMs === undefined ? Infinity : requestedAt + lifetimeMs - Math.min(RENEW_EARLY_MS, lifetimeMs / 2);
    cached = { token: answer.access_token, renewAt };
    return answer.access_token;
  }

  return {
    get() {
      if (cached && opts.now() < cached.renewAt) return Promise.resolve(cached.token);
      pending ??= requestToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
