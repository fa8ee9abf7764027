import { Hono, type Context } from "hono";
import { AppError } from "@/lib/platform/errors";
import { checkDatabase } from "@/lib/platform/check-database";
import { CONSOLE_ENDPOINTS } from "./console";
import { consoleErrorResponse } from "./console/console-errors";
import type { ConsoleEnv } from "./context";
import { allowedMethods } from "./allowed-methods";
import { csrfCheck } from "./middleware/csrf";
import { requestContext } from "./middleware/request-context";
import { staffSession } from "./middleware/staff-session";

/**
 * /api: the console's JSON API, one stack for every endpoint: request
 * context (our request id, client address, no-store), then the staff
 * session (401), then CSRF for writes (403), then the endpoint's own
 * permission and input (./console/endpoint.ts). Errors are the console's
 * {"error": {…}} body. /api/health is public; Auth.js's /api/auth/* is not
 * here (Next serves it, with its own CSRF token).
 */
export function createConsoleApp(): Hono<ConsoleEnv> {
  const api = new Hono<ConsoleEnv>();
  api.onError((error, c) => consoleErrorResponse(c, error));
  api.use(requestContext());

  // Public on purpose: load balancers and the demo poll it. It reveals only whether the database answers.
  api.get("/health", async (c) => {
    const database = await checkDatabase();
    return c.json({ status: database.ok ? "ok" : "degraded", database }, database.ok ? 200 : 503);
  });

  const routes = CONSOLE_ENDPOINTS.map((e) => ({ method: e.method, path: e.path }));
  const pathOf = (c: Context) => new URL(c.req.url).pathname.replace(/^\/api/, "") || "/";
  // A known path asked with a method it does not take changes nothing: answered 405 with Allow below, not refused as a write.
  const wrongMethod = (c: Context) => {
    const allowed = allowedMethods(routes, pathOf(c));
    return allowed.length > 0 && !allowed.includes(c.req.method);
  };
  api.use(staffSession());
  api.use(csrfCheck({ exempt: wrongMethod }));
  for (const endpoint of CONSOLE_ENDPOINTS) endpoint.mount(api);

  api.all("*", (c) => {
    const path = pathOf(c);
    const allowed = allowedMethods(routes, path);
    if (allowed.length > 0) {
      return consoleErrorResponse(
        c,
        new AppError("method_not_allowed", `${c.req.method.slice(0, 20)} is not allowed on ${path}; use ${allowed.join(" or ")}.`),
        {
          allow: allowed.join(", "),
        },
      );
    }
    return consoleErrorResponse(
      c,
      new AppError("not_found", `There is no API endpoint ${c.req.method.slice(0, 20)} /api${path.slice(0, 200)}.`),
    );
  });
  return api;
}
