import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { AppError } from "@/lib/platform/errors";
import { staffSessions, type CookieReader } from "@/lib/auth/staff-sessions";
import type { ConsoleEnv } from "@/lib/http/context";

/** The signed-in staff member, from the request's cookies, or 401: every /api endpoint behind it has a live session. */
export function staffSession(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const all = getCookie(c);
    const jar: CookieReader = {
      get: (name) => (name in all ? { value: all[name]! } : undefined),
      getAll: () => Object.entries(all).map(([name, value]) => ({ name, value })),
    };
    const staff = await staffSessions().authenticate(jar);
    if (!staff) throw new AppError("unauthenticated", "Sign in to use the Scopedesk API.");
    c.set("staff", staff);
    await next();
  };
}
