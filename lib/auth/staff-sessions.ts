import "server-only";
import { decode } from "next-auth/jwt";
import { z } from "zod";
import { ROLES, type Role } from "@/lib/auth/permissions";
import { SESSION_SECRET_PATTERN, sessionKeyOf } from "@/lib/auth/session-secret";
import { getConfig, requireAuthSecret } from "@/lib/platform/config";
import { findLiveStaff } from "./record-sign-in";

/**
 * Who is signed in, for any HTTP layer: the core takes a cookie reader, so
 * Next's cookies() (lib/auth/get-staff.ts) and the HTTP pipeline
 * (lib/http/middleware/staff-session.ts) share it.
 *
 * Two steps, each cached differently (decision 013):
 * 1. The Auth.js session token is decrypted and its claims checked, as auth()
 *    would (same cookies, secret and salt). Decrypting is costly per request
 *    (decision 013 has the profile); a token is immutable, so
 *    its claims are kept until its own expiry (at most 5 minutes), keyed by
 *    cookie name and value (the name is the decryption salt).
 * 2. The session it names must be live in staff_session, for a staff member
 *    who is not disabled; the name, e-mail and role come from staff_user, never
 *    from the token. That answer is kept for LIVE_SESSION_CACHE_MS, so a
 *    sign-out, a disabled member or a role change takes effect within it.
 */
export interface StaffSession {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** What a verified token says: which session, for whom, until when. */
export interface SessionClaims {
  sessionKey: string;
  staffId: string;
  expiresAt: number;
  /** Which kind of session the credential may name: a sign-in (default) or the Zendesk sidebar's (decision 030). */
  kind?: SessionKind;
}

export type SessionKind = "console" | "zendesk_sidebar";

/** The two methods of a request's cookies that sessions need (Next's cookies(), or an adapter). */
export interface CookieReader {
  get(name: string): { value: string } | undefined;
  getAll(): { name: string; value: string }[];
}

export const DECODED_TOKEN_CACHE_MS = 5 * 60_000;
export const LIVE_SESSION_CACHE_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;

// Auth.js names its session cookie by protocol (__Secure- over https) and
// splits a large token into name.0, name.1, … chunks.
const SESSION_COOKIE_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

export function readSessionToken(cookies: CookieReader): { name: string; value: string } | null {
  for (const name of SESSION_COOKIE_NAMES) {
    const whole = cookies.get(name)?.value;
    if (whole) return { name, value: whole };
    const chunks = cookies
      .getAll()
      .map((c) => ({ index: Number(c.name.startsWith(`${name}.`) ? c.name.slice(name.length + 1) : NaN), value: c.value }))
      .filter((c) => Number.isInteger(c.index))
      .sort((a, b) => a.index - b.index);
    if (chunks.length > 0) return { name, value: chunks.map((c) => c.value).join("") };
  }
  return null;
}

// Exactly the claims auth.ts's jwt callback writes; anything else was not sealed by this console.
const tokenClaims = z.object({
  sid: z.string().regex(SESSION_SECRET_PATTERN),
  staffId: z.string().uuid(),
  email: z.string().min(1),
  name: z.string(),
  role: z.enum(ROLES),
  exp: z.number(),
});

/** The claims of a decoded token payload, or null when it is not one of ours or has expired. */
export function sessionClaimsFrom(payload: unknown, now = Date.now()): SessionClaims | null {
  const parsed = tokenClaims.safeParse(payload);
  if (!parsed.success || parsed.data.exp * 1000 <= now) return null;
  return { sessionKey: sessionKeyOf(parsed.data.sid), staffId: parsed.data.staffId, expiresAt: parsed.data.exp * 1000 };
}

/** A size-capped map of entries that expire; when full, expired entries go first, then everything. */
function expiringCache<V>() {
  const entries = new Map<string, { value: V; until: number }>();
  return {
    get(key: string, now: number): V | undefined {
      const entry = entries.get(key);
      if (entry && entry.until > now) return entry.value;
      if (entry) entries.delete(key);
      return undefined;
    },
    set(key: string, value: V, until: number, now: number): void {
      if (entries.size >= CACHE_MAX_ENTRIES) {
        for (const [k, e] of entries) if (e.until <= now) entries.delete(k);
        if (entries.size >= CACHE_MAX_ENTRIES) entries.clear();
      }
      entries.set(key, { value, until });
    },
    delete(key: string): void {
      entries.delete(key);
    },
    deleteWhere(test: (key: string) => boolean): void {
      for (const key of entries.keys()) if (test(key)) entries.delete(key);
    },
  };
}

export interface StaffSessionsOptions {
  secret: () => string;
  /** The staff member of a live session (not revoked, not expired, not disabled), read from the database. */
  findLiveStaff: (claims: SessionClaims) => Promise<StaffSession | null>;
  now?: () => number;
  liveCacheMs?: number;
}

export function createStaffSessions(options: StaffSessionsOptions) {
  const now = options.now ?? Date.now;
  const liveCacheMs = options.liveCacheMs ?? LIVE_SESSION_CACHE_MS;
  const decodedTokens = expiringCache<SessionClaims>();
  // Promises, so concurrent requests of one session share one database read.
  const liveSessions = expiringCache<Promise<StaffSession | null>>();

  async function claimsOf(token: { name: string; value: string }): Promise<SessionClaims | null> {
    const key = `${token.name}=${token.value}`;
    const at = now();
    const cached = decodedTokens.get(key, at);
    if (cached) return cached.expiresAt > at ? cached : null;
    const payload = await decode({ token: token.value, secret: options.secret(), salt: token.name }).catch(() => null);
    const claims = sessionClaimsFrom(payload, at);
    if (claims) decodedTokens.set(key, claims, Math.min(claims.expiresAt, at + DECODED_TOKEN_CACHE_MS), at);
    return claims;
  }

  /** The live staff member of verified claims (cached for liveCacheMs). */
  function staffFor(claims: SessionClaims): Promise<StaffSession | null> {
    const key = `${claims.sessionKey}:${claims.staffId}:${claims.kind ?? "console"}`;
    const at = now();
    const cached = liveSessions.get(key, at);
    if (cached) return cached;
    const lookup = options.findLiveStaff(claims);
    liveSessions.set(key, lookup, at + liveCacheMs, at);
    // A failed read is not an answer: the next request asks again.
    lookup.catch(() => liveSessions.delete(key));
    return lookup;
  }

  return {
    staffFor,
    /** The signed-in staff member of a request, or null. */
    async authenticate(cookies: CookieReader): Promise<StaffSession | null> {
      const token = readSessionToken(cookies);
      const claims = token ? await claimsOf(token) : null;
      return claims ? staffFor(claims) : null;
    },
    /** Drops what this process remembers of a session (at sign-out), so it ends here at once. */
    forget(sessionKey: string): void {
      liveSessions.deleteWhere((key) => key.startsWith(`${sessionKey}:`));
    },
  };
}

export type StaffSessions = ReturnType<typeof createStaffSessions>;

// One instance per process, shared by every route bundle that imports this module.
const holder = globalThis as unknown as { __scopedeskStaffSessions?: StaffSessions };

/** The process's sessions, checked against the database (lib/auth/record-sign-in.ts). */
export function staffSessions(): StaffSessions {
  holder.__scopedeskStaffSessions ??= createStaffSessions({
    secret: () => requireAuthSecret(getConfig()),
    findLiveStaff,
  });
  return holder.__scopedeskStaffSessions;
}
