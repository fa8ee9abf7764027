/**
 * Minimal typings for oidc-provider v9 (it ships none and there is no
 * @types package installed). They cover only what scripts/dev-idp uses; widen
 * them from node_modules/oidc-provider/lib when you need more.
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

  export interface AccountClaims {
    sub: string;
    [claim: string]: JsonValue | undefined;
  }

  export interface Account {
    accountId: string;
    claims(use: "id_token" | "userinfo", scope: string, claims: unknown, rejected: string[]): Promise<AccountClaims> | AccountClaims;
  }

  export interface Session {
    accountId?: string;
    grantIdFor(clientId: string): string | undefined;
  }

  export interface Client {
    clientId: string;
    clientName?: string;
  }

  export interface OIDCContext {
    readonly provider: Provider;
    readonly client?: Client;
    readonly session?: Session;
    readonly result?: InteractionResults;
    /** The requested scopes that are OpenID Connect scopes this provider knows. */
    readonly requestParamOIDCScopes: Set<string>;
    /** Claims requested by name with the `claims` parameter. */
    readonly requestParamClaims: Set<string>;
    readonly route?: string;
  }

  /** The Koa context oidc-provider hands to configuration helpers. */
  export interface KoaContextWithOIDC {
    readonly oidc: OIDCContext;
    readonly method: string;
    readonly path: string;
    readonly host: string;
    status: number;
    type: string;
    body: unknown;
  }

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    client_name?: string;
    redirect_uris: string[];
    post_logout_redirect_uris?: string[];
    grant_types?: string[];
    response_types?: string[];
    token_endpoint_auth_method?: string;
    id_token_signed_response_alg?: string;
    application_type?: "web" | "native";
  }

  export interface JWK {
    kty: string;
    kid?: string;
    alg?: string;
    use?: string;
    [member: string]: unknown;
  }

  export type TTLFunction = (ctx: KoaContextWithOIDC, token: unknown, client: unknown) => number;

  export interface ErrorOut {
    error: string;
    error_description?: string;
    [key: string]: unknown;
  }

  export interface Configuration {
    clients?: ClientMetadata[];
    clientDefaults?: Partial<ClientMetadata>;
    clientAuthMethods?: string[];
    clientBasedCORS?: (ctx: KoaContextWithOIDC, origin: string, client: Client) => boolean;
    claims?: Record<string, string[] | null>;
    conformIdTokenClaims?: boolean;
    cookies?: {
      keys?: string[];
      names?: { session?: string; interaction?: string; resume?: string };
    };
    features?: {
      devInteractions?: { enabled: boolean };
      rpInitiatedLogout?: {
        enabled: boolean;
        logoutSource?: (ctx: KoaContextWithOIDC, form: string) => Promise<void> | void;
        postLogoutSuccessSource?: (ctx: KoaContextWithOIDC) => Promise<void> | void;
      };
      userinfo?: { enabled: boolean };
      introspection?: { enabled: boolean };
      revocation?: { enabled: boolean };
      pushedAuthorizationRequests?: { enabled: boolean };
    };
    findAccount?: (ctx: KoaContextWithOIDC, sub: string, token?: unknown) => Promise<Account | undefined> | Account | undefined;
    interactions?: {
      url?: (ctx: KoaContextWithOIDC, interaction: Interaction) => Promise<string> | string;
    };
    jwks?: { keys: JWK[] };
    loadExistingGrant?: (ctx: KoaContextWithOIDC) => Promise<Grant | undefined>;
    pkce?: { required?: (ctx: KoaContextWithOIDC, client: Client) => boolean };
    renderError?: (ctx: KoaContextWithOIDC, out: ErrorOut, error: Error) => Promise<void> | void;
    responseTypes?: string[];
    scopes?: string[];
    ttl?: Partial<
      Record<
        | "AccessToken"
        | "AuthorizationCode"
        | "ClientCredentials"
        | "DeviceCode"
        | "BackchannelAuthenticationRequest"
        | "Grant"
        | "IdToken"
        | "Interaction"
        | "RefreshToken"
        | "Session",
        number | TTLFunction
      >
    >;
  }

  export interface InteractionResults {
    login?: { accountId: string; remember?: boolean; ts?: number; amr?: string[]; acr?: string };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
    [key: string]: unknown;
  }

  export interface PromptDetail {
    name: "login" | "consent" | (string & {});
    reasons: string[];
    details: {
      login_hint?: string;
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
      [key: string]: unknown;
    };
  }

  export interface Interaction {
    readonly uid: string;
    readonly jti: string;
    readonly exp: number;
    readonly returnTo: string;
    readonly prompt: PromptDetail;
    readonly params: Record<string, unknown> & { client_id?: string; redirect_uri?: string; scope?: string; login_hint?: string };
    readonly session?: { accountId?: string; uid?: string };
    readonly grantId?: string;
    readonly lastSubmission?: InteractionResults;
    result?: InteractionResults;
  }

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    readonly jti: string;
    accountId: string;
    clientId: string;
    static find(id: string): Promise<Grant | undefined>;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(indicator: string, scope: string): void;
    /** Persists the grant and resolves with its id. */
    save(ttl?: number): Promise<string>;
  }

  export type ErrorEvent =
    | "server_error"
    | "authorization.error"
    | "grant.error"
    | "end_session.error"
    | "userinfo.error"
    | "discovery.error"
    | "jwks.error"
    | "pushed_authorization_request.error"
    | "revocation.error"
    | "introspection.error";

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    readonly Grant: typeof Grant;
    /** Node.js request listener (the provider is a Koa application). */
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    /** Stores the result and answers 303 to the authorization resume endpoint. */
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    /** Stores the result and resolves with the URL to send the browser to. */
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    on(
      event: ErrorEvent,
      listener: (ctx: KoaContextWithOIDC, error: Error & { error_description?: string; error_detail?: string }) => void,
    ): this;
    on(event: "grant.success" | "authorization.success" | "end_session.success", listener: (ctx: KoaContextWithOIDC) => void): this;
  }

  export default Provider;
}
