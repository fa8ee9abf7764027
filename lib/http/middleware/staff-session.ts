import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { AppError } from "@/lib/platform/errors";
import { staffSessions, type CookieReader } from "@/lib/auth/staff-sessions";
import type { ConsoleEnv } from "@/lib/http/context";
import { authenticateSidebar } from "@/lib/zendesk-app/authenticate-sidebar";
import { SIDEBAR_COOKIE, SIDEBAR_SESSION_HEADER } from "@/lib/zendesk-app/sidebar-credential";

/**
 * The signed-in staff member, or 401: every /api endpoint behind it has a live
 * session. The console's session cookie, or the Zendesk sidebar's session
 * (decision 030): its header (plain-http development) before anything else,
 * its cookie only when no console session is there. Both are the same kind
 * of row, checked the same way (decision 013).
 */
export function staffSession(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const all = getCookie(c);
    const sidebarHeader = c.req.header(SIDEBAR_SESSION_HEADER);
    if (sidebarHeader !== undefined) return sidebar(sidebarHeader);
    const jar: CookieReader = {
      get: (name) => (name in all ? { value: all[name]! } : undefined),
      getAll: () => Object.entries(all).map(([name, value]) => ({ name, value })),
    };
    const staff = await staffSessions().authenticate(jar);
    if (!staff && all[SIDEBAR_COOKIE] !== undefined) return sidebar(all[SIDEBAR_COOKIE]);
    if (!staff) throw new AppError("unauthenticated", "Sign in to use the Scopedesk API.");
    c.set("staff", staff);
    c.set("credential", { kind: "console" });
    await next();

    async function sidebar(credential: string) {
      const session = await authenticateSidebar(credential);
      if (!session) throw new AppError("unauthenticated", "The Scopedesk sidebar session has ended: reload the app in Zendesk.");
      c.set("staff", session.staff);
      c.set("credential", { kind: "zendesk_sidebar", secret: session.secret });
      await next();
    }
  };
}
