/**
 * POST /oauth/tokens for the development Zendesk, client credentials only, and
 * the bearer check every API call goes through. Tokens live in memory; their
 * scopes are enforced (read / write, or per resource) as Zendesk does.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";

export interface IssuedToken {
  scopes: ReadonlySet<string>;
  /** ms since the epoch; null: never expires (Zendesk's default when expires_in is not asked for). */
  expiresAt: number | null;
}

export type TokenAnswer =
  | { status: 201; body: { access_token: string; token_type: "bearer"; scope: string; expires_in?: number } }
  | { status: 400 | 401; body: { error: string; error_description: string } };

const KNOWN_SCOPES =
  /^(read|write|impersonate|(tickets|users|organizations|hc|apps|triggers|automations|targets|webhooks|auditlogs):(read|write))$/;

const tokenRequest = z.object({
  grant_type: z.string(),
  client_id: z.string(),
  client_secret: z.string(),
  scope: z.string().min(1),
  // Zendesk: more than 5 minutes and less than 2 days.
  expires_in: z.number().int().min(301).max(172_799).nullish(),
});

const oauthError = (status: 400 | 401, error: string, description: string): TokenAnswer => ({
  status,
  body: { error, error_description: description },
});

/**
 * How long tokens live here. By default as asked (`expires_in`, else never). `lifetimeSeconds` shortens
 * every new token's life; `announced: false` keeps answering the lifetime asked for, so a client learns
 * of the early end only by a 401 (as with a token revoked or expired early).
 */
export interface TokenLifetime {
  lifetimeSeconds: number | null;
  announced: boolean;
}

export class DevTokens {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly secretDigest: Buffer;
  issued = 0;
  lifetime: TokenLifetime = { lifetimeSeconds: null, announced: true };

  constructor(
    private readonly clientId: string,
    clientSecret: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.secretDigest = sha256(clientSecret);
  }

  /** The answer to POST /oauth/tokens with this (already JSON-parsed) body. */
  issue(body: unknown): TokenAnswer {
    const parsed = tokenRequest.safeParse(body);
    if (!parsed.success) {
      return oauthError(
        400,
        "invalid_request",
        "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.",
      );
    }
    const { grant_type, client_id, client_secret, scope, expires_in } = parsed.data;
    if (grant_type !== "client_credentials") {
      return oauthError(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.");
    }
    // Compare the secret even for an unknown client, so both failures take the same path.
    const secretOk = timingSafeEqual(sha256(client_secret), this.secretDigest);
    if (client_id !== this.clientId || !secretOk) {
      return oauthError(
        401,
        "invalid_client",
        "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
      );
    }
    const scopes = scope.split(" ").filter(Boolean);
    if (scopes.length === 0 || !scopes.every((s) => KNOWN_SCOPES.test(s))) {
      return oauthError(400, "invalid_scope", "The requested scope is invalid, unknown, or malformed.");
    }
    const token = randomBytes(32).toString("hex");
    const asked = expires_in ?? null;
    const cap = this.lifetime.lifetimeSeconds;
    const lifetime = cap === null ? asked : asked === null ? cap : Math.min(asked, cap);
    const answered = this.lifetime.announced ? lifetime : asked;
    this.tokens.set(token, { scopes: new Set(scopes), expiresAt: lifetime === null ? null : this.clock() + lifetime * 1000 });
    this.issued++;
    return {
      status: 201,
      body: { access_token: token, token_type: "bearer", scope: scopes.join(" "), ...(answered === null ? {} : { expires_in: answered }) },
    };
  }

  /** The live token named by an `Authorization: Bearer …` header, if any. */
  verify(authorization: string | undefined): IssuedToken | undefined {
    const match = /^Bearer\s+([0-9a-f]{64})$/i.exec(authorization ?? "");
    const token = match ? this.tokens.get(match[1]!.toLowerCase()) : undefined;
    if (!token || (token.expiresAt !== null && this.clock() >= token.expiresAt)) return undefined;
    return token;
  }

  /** As if an admin revoked every token: the next API call answers 401. */
  revokeAll(): void {
    this.tokens.clear();
  }
}

/** `read`/`write` cover every resource; `tickets:read` and the like one resource. */
export function allows(token: IssuedToken, resource: string, access: "read" | "write"): boolean {
  return token.scopes.has(access) || token.scopes.has(`${resource}:${access}`);
}

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
