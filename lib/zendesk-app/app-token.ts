/**
 * The token Zendesk signs for the first load of an app with signed URLs
 * (manifest `"signedUrls": true`): a JWT, RS256, with the app's key pair,
 * POSTed as the form field `token` to the location's URL (decision 030 has
 * the sources). It says which Zendesk account (`iss`, the account's host),
 * which installation it is for (`aud`, the installation's API URL), which
 * agent opened it (`sub`) and until when (`exp`). Checked here with jose:
 * the signature with the installation's public key, RS256 only, the audience,
 * the issuer, expiry with a small clock skew. Refusals are typed so the
 * refusal page says what was wrong. Pure (the key is handed in).
 */
import { createHash, type KeyObject } from "node:crypto";
import { errors, jwtVerify } from "jose";

export const APP_TOKEN_CLOCK_SKEW_SECONDS = 30;
/** Far above any JWT Zendesk sends; a bigger form field is not read as one. */
export const APP_TOKEN_MAX_LENGTH = 8192;

export interface AppTokenExpectation {
  /** The Zendesk account's origin, e.g. https://acme.zendesk.com (HELPDESK_BASE_URL). */
  baseUrl: string;
  installationId: string;
}

export type AppTokenRefusal = "malformed" | "bad_signature" | "wrong_audience" | "wrong_issuer" | "expired" | "not_yet_valid" | "no_agent";

export interface VerifiedAppToken {
  /** The Zendesk user who opened the app (digits). */
  zendeskUserId: string;
  expiresAt: Date;
  /**
   * What the replay guard remembers: the SHA-256 of the signed part (header and
   * payload as sent). The signature's spelling is left out: base64url leaves
   * unused bits in its last character, so one signature has several spellings
   * that all verify; RS256 (PKCS#1 v1.5) gives one signature per signed part.
   */
  digest: string;
}

export type AppTokenCheck = { ok: true; token: VerifiedAppToken } | { ok: false; refusal: AppTokenRefusal; message: string };

/** The installation's API URL: Zendesk's audience for its tokens. */
export function appTokenAudience(expect: AppTokenExpectation): string {
  return `${new URL(expect.baseUrl).origin}/api/v2/apps/installations/${expect.installationId}.json`;
}

/** Zendesk names the account by its host (acme.zendesk.com); the same host as a URL is taken as the same account. */
export function appTokenIssuers(expect: AppTokenExpectation): string[] {
  const url = new URL(expect.baseUrl);
  return [url.host, url.origin];
}

export async function verifyAppToken(token: string, key: KeyObject, expect: AppTokenExpectation, now: Date): Promise<AppTokenCheck> {
  if (token.length === 0 || token.length > APP_TOKEN_MAX_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
    return refuse("malformed", "The signed token is missing or is not a JWT.");
  }
  // The same bytes have one canonical base64url spelling; another one is a token someone re-encoded.
  const [header, body, signature] = token.split(".") as [string, string, string];
  if (Buffer.from(signature, "base64url").toString("base64url") !== signature) {
    return refuse("malformed", "The signed token's signature is not in canonical base64url.");
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ["RS256"],
      audience: appTokenAudience(expect),
      issuer: appTokenIssuers(expect),
      clockTolerance: APP_TOKEN_CLOCK_SKEW_SECONDS,
      currentDate: now,
      requiredClaims: ["exp", "sub"],
    }));
  } catch (error) {
    return refusalOf(error);
  }
  const zendeskUserId = userIdOf(payload.sub, expect);
  if (!zendeskUserId) return refuse("no_agent", "The signed token does not name the Zendesk user who opened the app.");
  return {
    ok: true,
    token: {
      zendeskUserId,
      expiresAt: new Date((payload.exp as number) * 1000),
      digest: createHash("sha256").update(`${header}.${body}`).digest("hex"),
    },
  };
}

/** `sub` names the agent by id, or by the user's API URL on the same account. */
function userIdOf(sub: unknown, expect: AppTokenExpectation): string | null {
  const text = typeof sub === "number" && Number.isSafeInteger(sub) ? String(sub) : typeof sub === "string" ? sub : "";
  if (/^[1-9][0-9]{0,17}$/.test(text)) return text;
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  const match = /^\/api\/v2\/users\/([1-9][0-9]{0,17})(\.json)?$/.exec(url.pathname);
  return match && url.origin === new URL(expect.baseUrl).origin && !url.search ? match[1]! : null;
}

function refusalOf(error: unknown): AppTokenCheck {
  if (error instanceof errors.JWTExpired) return refuse("expired", "The signed token has expired: reload the app in Zendesk.");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud") return refuse("wrong_audience", "The signed token is for another app installation.");
    if (error.claim === "iss") return refuse("wrong_issuer", "The signed token comes from another Zendesk account.");
    if (error.claim === "nbf" || error.claim === "iat") return refuse("not_yet_valid", "The signed token is not valid yet.");
    return refuse("malformed", `The signed token lacks a valid ${error.claim} claim.`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refuse("bad_signature", "The signed token's signature does not match this installation's public key.");
  }
  return refuse("malformed", "The signed token is not a JWT signed with RS256.");
}

function refuse(refusal: AppTokenRefusal, message: string): AppTokenCheck {
  return { ok: false, refusal, message };
}
