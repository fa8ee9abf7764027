/**
 * Whether Scopedesk can talk to Zendesk, from the environment. Pure.
 *
 *   HELPDESK_BASE_URL      the Zendesk account, e.g. https://acme.zendesk.com: ticket links and API calls
 *   ZENDESK_SUBDOMAIN      or just "acme" (then https://acme.zendesk.com)
 *   ZENDESK_CLIENT_ID      OAuth client (Admin Center > Apps and integrations > APIs > OAuth clients)
 *   ZENDESK_CLIENT_SECRET  its secret
 *
 * Without the client id and secret the helpdesk is "not connected" (notes
 * are then copied by hand, as before); a malformed value throws ConfigError.
 */
import { z } from "zod";
import { ConfigError } from "@/lib/platform/config";
import type { ZendeskClientOptions } from "./zendesk-client";

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The Zendesk settings, to spread into lib/platform/config.ts's schema (which already has HELPDESK_BASE_URL). */
export const zendeskEnvShape = {
  ZENDESK_SUBDOMAIN: z.string().regex(SUBDOMAIN, "must be a Zendesk subdomain such as acme").optional(),
  ZENDESK_CLIENT_ID: z.string().trim().min(1).optional(),
  ZENDESK_CLIENT_SECRET: z.string().trim().min(1).optional(),
};

const envSchema = z.object({
  HELPDESK_BASE_URL: z
    .string()
    .superRefine((value, ctx) => {
      const problem = baseUrlProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  ...zendeskEnvShape,
});

export type HelpdeskSettings =
  { connected: false; reason: string } | { connected: true; client: Pick<ZendeskClientOptions, "baseUrl" | "clientId" | "clientSecret"> };

export function helpdeskSettings(env: Record<string, string | undefined>): HelpdeskSettings {
  // Empty strings in .env files mean "not set", as in lib/platform/config.ts.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid helpdesk configuration:\n${lines.join("\n")}`);
  }
  const { HELPDESK_BASE_URL, ZENDESK_SUBDOMAIN, ZENDESK_CLIENT_ID, ZENDESK_CLIENT_SECRET } = parsed.data;
  const fromUrl = HELPDESK_BASE_URL === undefined ? undefined : new URL(HELPDESK_BASE_URL).origin;
  const fromSubdomain = ZENDESK_SUBDOMAIN === undefined ? undefined : `https://${ZENDESK_SUBDOMAIN.toLowerCase()}.zendesk.com`;
  if (fromUrl && fromSubdomain && fromUrl !== fromSubdomain) {
    // Ticket links and API calls must go to the same account.
    throw new ConfigError(
      `Invalid helpdesk configuration:\n  - ZENDESK_SUBDOMAIN: names ${fromSubdomain}, but HELPDESK_BASE_URL is ${fromUrl}`,
    );
  }
  const baseUrl = fromUrl ?? fromSubdomain;

  if (!baseUrl || !ZENDESK_CLIENT_ID || !ZENDESK_CLIENT_SECRET) {
    const missing = [
      ...(ZENDESK_CLIENT_ID ? [] : ["ZENDESK_CLIENT_ID"]),
      ...(ZENDESK_CLIENT_SECRET ? [] : ["ZENDESK_CLIENT_SECRET"]),
      ...(baseUrl ? [] : ["HELPDESK_BASE_URL (or ZENDESK_SUBDOMAIN)"]),
    ];
    return { connected: false, reason: `Zendesk is not connected: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set.` };
  }
  return { connected: true, client: { baseUrl, clientId: ZENDESK_CLIENT_ID, clientSecret: ZENDESK_CLIENT_SECRET } };
}

/** https only, except plain http on loopback (the development Zendesk); an origin, nothing after it. */
function baseUrlProblem(value: string): string | null {
  if (!URL.canParse(value)) return "must be a URL such as https://acme.zendesk.com";
  const url = new URL(value);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    return "must be https:// (plain http only on 127.0.0.1 or localhost)";
  }
  if (url.username || url.password || url.search || url.hash || url.pathname.replace(/\/+$/, "") !== "") {
    return "must be just the origin, such as https://acme.zendesk.com";
  }
  return null;
}
