import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestMeta } from "@/lib/audit/append-audit-event";
import type { StaffSession } from "@/lib/auth/get-staff";
import type { ActingAccount, ApiCaller } from "@/lib/api-keys/authenticate-api-key";
import type { RateLimitState } from "@/lib/api-keys/rate-limit";
import type { ServerTiming } from "./server-timing";

/**
 * What the pipeline's middleware hands on, per request. Bindings are the Node
 * request and response when the production server serves it
 * (@hono/node-server), absent under `next dev`.
 */
export interface HttpBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

/** How the staff member of a console request signed in: the console's own session, or the Zendesk sidebar's (decision 030). */
export type StaffCredential = { kind: "console" } | { kind: "zendesk_sidebar"; secret: string };

export interface ConsoleEnv {
  Bindings: HttpBindings;
  Variables: { meta: RequestMeta; staff: StaffSession; credential: StaffCredential };
}

export interface V3Env {
  Bindings: HttpBindings;
  Variables: { meta: RequestMeta; timing: ServerTiming; limit: RateLimitState | null; caller: ApiCaller; acting: ActingAccount };
}
