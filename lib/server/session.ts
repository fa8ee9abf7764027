import "server-only";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { decode } from "next-auth/jwt";
import { z } from "zod";
import { can, ROLES, type Permission, type Role } from "@/lib/auth/permissions";
import { getConfig, requireAuthSecret } from "@/lib/config";
import { safeReturnPath } from "@/lib/platform/safe-redirect";

export interface StaffSession {
  id: string;
  email: string;
  name: string;
  role: Role;
}

const sessionUser = z.object({
  id: z.string().uuid(),
  email: z.string().min(1),
  name: z.string(),
  role: z.enum(ROLES),
});

// Auth.js names its session cookie by protocol (__Secure- over https) and
// splits a large token into name.0, name.1, … chunks.
const SESSION_COOKIE_NAMES = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

async function readSessionToken(): Promise<{ name: string; value: string } | null> {
  const jar = await cookies();
  for (const name of SESSION_COOKIE_NAMES) {
    const whole = jar.get(name)?.value;
    if (whole) return { name, value: whole };
    const chunks = jar
      .getAll()
      .map((c) => ({ index: Number(c.name.startsWith(`${name}.`) ? c.name.slice(name.length + 1) : NaN), value: c.value }))
      .filter((c) => Number.isInteger(c.index))
      .sort((a, b) => a.index - b.index);
    if (chunks.length > 0) return { name, value: chunks.map((c) => c.value).join("") };
  }
  return null;
}

/**
 * Decoded sessions by token. Decrypting the token (JWE, key derived with
 * HKDF, through WebCrypto) was a fifth of the server's CPU per console
 * request in the benchmark's profile; a token is immutable and carries its
 * own expiry, so its decoded form is kept until that expiry (at most
 * SESSION_CACHE_MS) and nothing about who is signed in changes.
 */
const SESSION_CACHE_MS = 5 * 60_000;
const SESSION_CACHE_MAX = 10_000;
const decodedSessions = new Map<string, { staff: StaffSession; until: number }>();

function remember(token: string, staff: StaffSession, until: number, now: number): void {
  if (decodedSessions.size >= SESSION_CACHE_MAX) {
    for (const [key, entry] of decodedSessions) if (entry.until <= now) decodedSessions.delete(key);
    if (decodedSessions.size >= SESSION_CACHE_MAX) decodedSessions.clear();
  }
  decodedSessions.set(token, { staff, until });
}

/**
 * The signed-in staff member, or null: the Auth.js session token read and
 * verified as auth() does (same cookie, secret and salt), its claims mapped as
 * auth.ts's session callback maps them. A token without a valid role is no session.
 */
export async function getStaff(): Promise<StaffSession | null> {
  const token = await readSessionToken();
  if (!token) return null;
  const now = Date.now();
  const cached = decodedSessions.get(token.value);
  if (cached && cached.until > now) return cached.staff;
  const claims = await decode({ token: token.value, secret: requireAuthSecret(getConfig()), salt: token.name }).catch(() => null);
  const expiresAt = typeof claims?.exp === "number" ? claims.exp * 1000 : 0;
  if (!claims || expiresAt <= now) return null;
  const parsed = sessionUser.safeParse({ id: claims.staffId, email: claims.email, name: claims.name, role: claims.role });
  if (!parsed.success) return null;
  remember(token.value, parsed.data, Math.min(expiresAt, now + SESSION_CACHE_MS), now);
  return parsed.data;
}

/**
 * For pages: sends a signed-out visitor to sign in (and back to `returnTo`
 * afterwards) and answers 403 to a role without the permission.
 */
export async function requirePageStaff(permission: Permission, returnTo: string): Promise<StaffSession> {
  const staff = await getStaff();
  if (!staff) redirect(`/signin?callbackUrl=${encodeURIComponent(safeReturnPath(returnTo))}`);
  if (!can(staff.role, permission)) forbidden();
  return staff;
}

type SearchParams = Record<string, string | string[] | undefined>;

/** A page's own path with the query parameters worth keeping through sign-in (e.g. the ticket of a deep link). */
export function pagePath(path: string, searchParams: SearchParams, keep: readonly string[] = ["q", "ticket"]): string {
  const query = new URLSearchParams();
  for (const key of keep) {
    const value = searchParams[key];
    if (typeof value === "string") query.set(key, value.slice(0, 1000));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
