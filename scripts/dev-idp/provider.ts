/**
 * The bundled development OpenID Connect identity provider (oidc-provider v9).
 *
 * For development, demos and tests only: plain http on loopback, in-memory
 * storage, signing and cookie keys generated at every start, one confidential
 * client and the seeded staff from ./users. Production uses a real IdP.
 *
 * One node:http server: `/interaction/*` is our own tiny sign-in page (the
 * library's devInteractions are disabled), everything else goes to the
 * provider. Consent is granted automatically for the one first-party client,
 * so the login form is the only page a user sees.
 */
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, urlHost } from "../lib/local-server";
import type { AddressInfo } from "node:net";
import Provider, {
  type Account,
  type AccountClaims,
  type Configuration,
  type ErrorEvent,
  type Interaction,
  type JWK,
  type KoaContextWithOIDC,
} from "oidc-provider";
import { DEV_PASSWORD, DEV_STAFF, findDevStaffByEmail, findDevStaffBySub, type DevStaff } from "./users";

export interface DevIdpOptions {
  /** TCP port; 0 picks a free one (the issuer then names the real port). */
  port: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** The client's registered redirect URIs (exact match). */
  redirectUris: string[];
  /** Default "scopedesk". */
  clientId?: string;
  /** Default "scopedesk-dev-secret". */
  clientSecret?: string;
  /** Where RP-initiated logout may return to. Default: `<origin>/` and `<origin>/signin` of every redirect URI. */
  postLogoutRedirectUris?: string[];
  /** Receives each log line (already prefixed with "[dev-idp]"). Default console.log. */
  log?: (line: string) => void;
}

export interface DevIdp {
  issuer: string;
  close(): Promise<void>;
}

export const DEV_IDP_DEFAULT_CLIENT_ID = "scopedesk";
export const DEV_IDP_DEFAULT_CLIENT_SECRET = "scopedesk-dev-secret";

const SESSION_TTL_SECONDS = 60 * 60;
const INTERACTION_TTL_SECONDS = 10 * 60;
const MAX_FORM_BYTES = 16 * 1024;
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?\/?$/;

export async function startDevIdp(opts: DevIdpOptions): Promise<DevIdp> {
  const host = opts.host ?? "127.0.0.1";
  const clientId = opts.clientId ?? DEV_IDP_DEFAULT_CLIENT_ID;
  const clientSecret = opts.clientSecret ?? DEV_IDP_DEFAULT_CLIENT_SECRET;
  const log = (message: string) => (opts.log ?? console.log)(`[dev-idp] ${message}`);

  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new TypeError(`dev-idp: port must be a whole number from 0 to 65535 (got ${opts.port})`);
  }
  const redirectUris = opts.redirectUris.map((u) => checkedUrl(u, "redirect URI"));
  if (redirectUris.length === 0) throw new TypeError("dev-idp: at least one redirect URI is required");
  const postLogoutRedirectUris = (opts.postLogoutRedirectUris ?? defaultPostLogoutUris(redirectUris)).map((u) =>
    checkedUrl(u, "post-logout redirect URI"),
  );

  // Listen first so that port 0 works: the issuer must name the real port.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${urlHost(host)}:${port}`;

  let provider: Provider;
  try {
    provider = new Provider(issuer, providerConfiguration({ clientId, clientSecret, redirectUris, postLogoutRedirectUris }));
  } catch (err) {
    await closeServer(server);
    throw err;
  }

  const errorEvents: ErrorEvent[] = ["server_error", "authorization.error", "grant.error", "end_session.error", "userinfo.error"];
  for (const event of errorEvents) {
    provider.on(event, (ctx, err) => {
      // error_detail says why (e.g. "PKCE verification failed"); error_description is generic.
      const why = err.error_detail ?? err.error_description;
      log(`${event} on ${ctx.method} ${ctx.path}: ${err.message}${why ? ` (${why})` : ""}`);
    });
  }
  provider.on("end_session.success", () => log("signed out"));

  const providerCallback = provider.callback();
  handle = (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const match = INTERACTION_PATH.exec(path);
    if (!match) {
      void providerCallback(req, res);
      return;
    }
    const uid = match[1] ?? "";
    const action = (match[2] as "login" | "abort" | undefined) ?? "show";
    handleInteraction(provider, req, res, uid, action, log).catch((err: unknown) => {
      log(`interaction error: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent)
        sendHtml(res, 500, messagePage("Something went wrong", "The development identity provider hit an error. See its console."));
      else res.end();
    });
  };

  log(`listening at ${issuer} (client "${clientId}", ${DEV_STAFF.length} seeded staff)`);

  let closing: Promise<void> | undefined;
  return {
    issuer,
    close() {
      closing ??= closeServer(server).then(() => log("stopped"));
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------
// Provider configuration

function providerConfiguration(c: {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}): Configuration {
  return {
    clients: [
      {
        client_id: c.clientId,
        client_secret: c.clientSecret,
        client_name: "Scopedesk",
        redirect_uris: c.redirectUris,
        post_logout_redirect_uris: c.postLogoutRedirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        // Auth.js v5 sends HTTP Basic unless told otherwise. oidc-provider v9
        // treats client_secret_basic and client_secret_post as interchangeable
        // for a client registered with either, so both work.
        token_endpoint_auth_method: "client_secret_basic",
        id_token_signed_response_alg: "RS256",
      },
    ],
    clientAuthMethods: ["client_secret_basic", "client_secret_post"],
    responseTypes: ["code"],
    scopes: ["openid", "email", "profile", "groups"],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name"],
      groups: ["groups"],
    },
    // Auth.js builds the profile from the ID token alone: put every granted
    // claim in it, not only in the userinfo response.
    conformIdTokenClaims: false,
    jwks: { keys: [generateSigningKey()] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    features: {
      devInteractions: { enabled: false },
      // Auth.js requires a userinfo_endpoint in discovery, even though it reads the ID token.
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => accountFor(sub),
    loadExistingGrant: (ctx) => autoGrant(ctx, c.clientId),
    clientBasedCORS: () => false,
    renderError,
    ttl: {
      AuthorizationCode: 60,
      AccessToken: SESSION_TTL_SECONDS,
      IdToken: SESSION_TTL_SECONDS,
      Grant: SESSION_TTL_SECONDS,
      Session: SESSION_TTL_SECONDS,
      Interaction: INTERACTION_TTL_SECONDS,
    },
  };
}

/** A fresh RS256 key pair as a private JWK; the public half is served at /jwks. */
function generateSigningKey(): JWK {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  return { ...jwk, kty: "RSA", kid: `dev-${randomBytes(6).toString("base64url")}`, alg: "RS256", use: "sig" };
}

function accountFor(sub: string): Account | undefined {
  const staff = findDevStaffBySub(sub);
  if (!staff) return undefined;
  return {
    accountId: staff.sub,
    claims(_use, scope) {
      const scopes = new Set(scope.split(" "));
      const claims: AccountClaims = { sub: staff.sub };
      if (scopes.has("email")) {
        claims.email = staff.email;
        claims.email_verified = true;
      }
      if (scopes.has("profile")) claims.name = staff.name;
      if (scopes.has("groups")) claims.groups = [...staff.groups];
      return claims;
    },
  };
}

/**
 * Skip the consent screen for our one first-party client: whatever OpenID
 * scopes and claims it asks for are granted as soon as someone is signed in.
 */
async function autoGrant(ctx: KoaContextWithOIDC, firstPartyClientId: string) {
  const { client, session, provider, result } = ctx.oidc;
  const accountId = session?.accountId;
  if (!client || !accountId || client.clientId !== firstPartyClientId) return undefined;

  const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  let grant = grantId ? await provider.Grant.find(grantId) : undefined;
  if (grant && (grant.accountId !== accountId || grant.clientId !== client.clientId)) grant = undefined;
  grant ??= new provider.Grant({ accountId, clientId: client.clientId });

  const scopes = [...ctx.oidc.requestParamOIDCScopes];
  if (scopes.length > 0) grant.addOIDCScope(scopes.join(" "));
  const claims = [...ctx.oidc.requestParamClaims];
  if (claims.length > 0) grant.addOIDCClaims(claims);
  await grant.save();
  return grant;
}

// ---------------------------------------------------------------------------
// The sign-in interaction

async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  uid: string,
  action: "show" | "login" | "abort",
  log: (message: string) => void,
): Promise<void> {
  const allowed = action === "login" ? ["POST"] : action === "abort" ? ["GET", "POST"] : ["GET", "HEAD"];
  if (!allowed.includes(req.method ?? "")) {
    res.setHeader("Allow", allowed.join(", "));
    sendHtml(res, 405, messagePage("Method not allowed", "Use the sign-in form."));
    return;
  }

  let interaction: Interaction | undefined;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch {
    // No interaction cookie, or the interaction expired (SessionNotFound).
  }
  if (!interaction || interaction.uid !== uid) {
    sendHtml(
      res,
      400,
      messagePage("Sign-in request expired", "This sign-in request has expired or is not valid. Go back to Scopedesk and start again."),
    );
    return;
  }

  if (action === "abort") {
    log("sign-in cancelled");
    await provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "End-User aborted interaction" },
      { mergeWithLastSubmission: false },
    );
    return;
  }

  const { prompt } = interaction;

  if (prompt.name === "consent") {
    // Only reached when the client explicitly asks for prompt=consent: grant it.
    await finishConsent(provider, req, res, interaction);
    return;
  }
  if (prompt.name !== "login") {
    sendHtml(res, 501, messagePage("Not supported", `The development identity provider cannot handle the "${prompt.name}" prompt.`));
    return;
  }

  if (action === "show") {
    const hint = typeof interaction.params.login_hint === "string" ? interaction.params.login_hint : "";
    sendHtml(res, 200, loginPage({ uid, email: hint }));
    return;
  }

  const form = await readForm(req);
  if (!form) {
    sendHtml(res, 400, messagePage("Bad request", "The sign-in form could not be read."));
    return;
  }
  const email = (form.get("email") ?? "").trim();
  const staff = verifyCredentials(email, form.get("password") ?? "");
  if (!staff) {
    log(`sign-in refused for ${JSON.stringify(email.slice(0, 100))}`);
    sendHtml(res, 401, loginPage({ uid, email, error: "Wrong e-mail address or password." }));
    return;
  }

  log(`signed in ${staff.email} (${staff.role})`);
  await provider.interactionFinished(req, res, { login: { accountId: staff.sub } }, { mergeWithLastSubmission: false });
}

async function finishConsent(provider: Provider, req: IncomingMessage, res: ServerResponse, interaction: Interaction) {
  const accountId = interaction.session?.accountId;
  const clientId = interaction.params.client_id;
  if (!accountId || typeof clientId !== "string") {
    sendHtml(res, 400, messagePage("Sign-in request expired", "Go back to Scopedesk and start again."));
    return;
  }
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId });
  const { details } = interaction.prompt;
  if (details.missingOIDCScope?.length) grant.addOIDCScope(details.missingOIDCScope.join(" "));
  if (details.missingOIDCClaims?.length) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(" "));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const PASSWORD_DIGEST = sha256(DEV_PASSWORD);

function verifyCredentials(email: string, password: string): DevStaff | undefined {
  const staff = findDevStaffByEmail(email);
  // Compare even for unknown users so both failures take the same path.
  const passwordOk = timingSafeEqual(sha256(password), PASSWORD_DIGEST);
  return staff && passwordOk ? staff : undefined;
}

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

// ---------------------------------------------------------------------------
// HTML

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f3f4f6}
main{max-width:24rem;margin:3rem auto;padding:2rem;background:#fff;border:1px solid #d1d5db;border-radius:.5rem}
h1{font-size:1.5rem;margin:0 0 .25rem}
.note{margin:0 0 1.5rem;color:#4b5563;font-size:.875rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{width:100%;padding:.5rem .75rem;font:inherit;border:1px solid #6b7280;border-radius:.375rem}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
button{margin-top:1.5rem;width:100%;padding:.625rem;font:inherit;font-weight:600;color:#fff;background:#1d4ed8;border:0;border-radius:.375rem;cursor:pointer}
button.secondary{color:#1f2937;background:#e5e7eb;margin-top:.75rem}
.alert{margin:0 0 1rem;padding:.75rem;color:#991b1b;background:#fef2f2;border:1px solid #fca5a5;border-radius:.375rem}
.cancel{display:block;margin-top:1rem;text-align:center;color:#1d4ed8}
details{margin-top:1.5rem;font-size:.875rem;color:#374151}
ul{padding-left:1.25rem}
`;

const SECURITY_HEADERS: Record<string, string> = {
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
};

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Scopedesk development sign-in</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function loginPage({ uid, email, error }: { uid: string; email: string; error?: string }): string {
  const described = error ? ' aria-describedby="signin-error" aria-invalid="true"' : "";
  const accounts = DEV_STAFF.map((s) => `<li>${escapeHtml(s.email)} (${s.role})</li>`).join("");
  return layout(
    "Sign in",
    `<h1>Sign in to Scopedesk</h1>
<p class="note">Development identity provider. Not for production use.</p>
${error ? `<p id="signin-error" class="alert" role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="email">E-mail address</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}"${described}${email ? "" : " autofocus"}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}${email ? " autofocus" : ""}>
<button type="submit">Sign in</button>
</form>
<a class="cancel" href="/interaction/${escapeHtml(uid)}/abort">Cancel</a>
<details>
<summary>Seeded accounts</summary>
<ul>${accounts}</ul>
<p>All share the development password (DEV_PASSWORD in scripts/dev-idp/users.ts).</p>
</details>`,
  );
}

function messagePage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": "text/html; charset=utf-8" });
  res.end(html);
}

function renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): void {
  ctx.type = "html";
  ctx.body = layout(
    "Sign-in error",
    `<h1>Sign-in error</h1>
<p role="alert"><strong>${escapeHtml(out.error)}</strong>${out.error_description ? `: ${escapeHtml(out.error_description)}` : ""}</p>`,
  );
}

function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  ctx.type = "html";
  ctx.body = layout(
    "Sign out",
    `<h1>Sign out of the development identity provider?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  );
}

function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  ctx.type = "html";
  ctx.body = messagePage("Signed out", "You are signed out of the development identity provider.");
}

// ---------------------------------------------------------------------------
// Helpers

function checkedUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`dev-idp: invalid ${what}: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`dev-idp: ${what} must be http(s): ${JSON.stringify(value)}`);
  }
  return value;
}

function defaultPostLogoutUris(redirectUris: string[]): string[] {
  const origins = new Set(redirectUris.map((u) => new URL(u).origin));
  return [...origins].flatMap((origin) => [`${origin}/`, `${origin}/signin`]);
}
