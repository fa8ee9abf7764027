import { z } from "zod";
import { AUDIT_SIGNING_KEY_HINT, parseAuditSigningKey, SigningKeyError } from "@/lib/audit/signing-key";
import { APPROVAL_RULES } from "@/lib/approvals/policy";
import { parseTrustProxy } from "./client-address";

/**
 * Configuration from the environment, validated once. Development and test get
 * defaults that work on a machine with a local Postgres and the bundled
 * development identity provider; production must set every secret explicitly.
 * No secret has a default anywhere: the server refuses to start without
 * AUTH_SECRET (requireAuthSecret), and `npm run demo` / `npm test` make one.
 */
const appEnv = z.enum(["development", "test", "production"]);

/** Development defaults: the roles `npm run demo` creates (decision 014). */
const DEV_APP_DATABASE_URL = "postgresql://scopedesk_app@127.0.0.1:5432/scopedesk";
const DEV_OWNER_DATABASE_URL = "postgresql://scopedesk_owner@127.0.0.1:5432/scopedesk";

export const AUTH_SECRET_HINT =
  "Make one with `openssl rand -base64 32` and set it as AUTH_SECRET in the environment or .env (at least 32 characters).";

const roleName = z.enum(["viewer", "agent", "lead", "admin"]);

const roleMap = z.string().transform((raw, ctx) => {
  const map: Record<string, z.infer<typeof roleName>> = {};
  for (const pair of raw
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [group, role] = pair.split(":").map((p) => p.trim());
    const parsed = roleName.safeParse(role);
    if (!group || !parsed.success) {
      ctx.addIssue({ code: "custom", message: `expected "group:role" pairs with role in viewer|agent|lead|admin, got "${pair}"` });
      return z.NEVER;
    }
    map[group] = parsed.data;
  }
  return map;
});

const postgresUrl = z
  .string()
  .url()
  .refine((u) => /^postgres(ql)?:\/\//.test(u), "must be a postgresql:// URL");

/** Where Zendesk publishes the Apps framework SDK (version 2.0, patch releases included). */
export const ZAF_SDK_URL = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js";

/**
 * Webhook signing secrets that are written down somewhere public: Zendesk's
 * documented test secret (it signs the admin's "Test webhook" requests) and the
 * development Zendesk's default. Production refuses them.
 */
export const PUBLISHED_WEBHOOK_SECRETS: readonly string[] = [
  "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==",
  "scopedesk-dev-webhook-secret",
];

const rawSchema = z.object({
  SCOPEDESK_ENV: appEnv.optional(),
  NODE_ENV: z.string().optional(),
  DATABASE_URL: postgresUrl.optional(),
  MIGRATION_DATABASE_URL: postgresUrl.optional(),
  AUTH_SECRET: z.string().min(32, `must be at least 32 characters. ${AUTH_SECRET_HINT}`).optional(),
  DEV_IDP_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_PROVIDER_NAME: z.string().min(1).default("Single sign-on"),
  OIDC_ROLES_CLAIM: z.string().min(1).default("groups"),
  OIDC_ROLE_MAP: roleMap.prefault("scopedesk-viewer:viewer,scopedesk-agent:agent,scopedesk-lead:lead,scopedesk-admin:admin"),
  SESSION_MAX_AGE_HOURS: z.coerce.number().positive().max(24).default(8),
  SIGNUP_CUTOFF: z.iso
    .datetime({ offset: true })
    .default("2023-07-25T00:00:00Z")
    .transform((s) => new Date(s)),
  HELPDESK_BASE_URL: z.string().url().default("https://scopedesk.zendesk.com"),
  /** Brand subdomains of the same Zendesk (same ticket numbers), e.g. "acme-eu,acme-help". */
  HELPDESK_ALLOWED_SUBDOMAINS: z
    .string()
    .default("")
    .transform((raw) =>
      raw
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "each subdomain is one DNS label, e.g. acme-eu"))),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Proxies whose X-Forwarded-For is believed: unset (none), a hop count, or address ranges (lib/platform/client-address.ts). */
  TRUST_PROXY: z
    .string()
    .default("")
    .transform((raw, ctx) => {
      try {
        return parseTrustProxy(raw);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** The console's public URL (Auth.js reads it too): its origin is the only one allowed to write (CSRF), https turns on HSTS. */
  AUTH_URL: z.string().url().optional(),
  /** Send Strict-Transport-Security: "auto" when the console's URL is https (default), "on" or "off". */
  HSTS: z.enum(["auto", "on", "off"]).default("auto"),
  /** Who authors a customer reply in Zendesk: the sending agent's own Zendesk user (found by e-mail; else the integration user), or always the integration user. */
  HELPDESK_REPLY_AUTHOR: z.enum(["agent", "integration"], { error: "must be agent or integration" }).default("agent"),
  /** Triage on arrival tags the ticket with its verdict (scopedesk-ready, scopedesk-nothing-to-do) in the note's update. */
  TRIAGE_TAGS: z.enum(["on", "off"], { error: "must be on or off" }).default("on"),
  /** The Zendesk sidebar app (decision 030): its app id and the installation's id; both, or neither. */
  ZENDESK_APP_ID: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, "must be the app's numeric id (Admin Center > Apps > Zendesk Support apps)")
    .optional(),
  ZENDESK_APP_INSTALLATION_ID: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, "must be the installation's numeric id (GET /api/v2/apps/installations.json)")
    .optional(),
  /** The installation's public key (PEM); without it, fetched from the helpdesk and cached. */
  ZENDESK_APP_PUBLIC_KEY: z
    .string()
    .regex(/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/, "must be a PEM public key")
    .optional(),
  /** How long a sidebar session lasts after Zendesk signed its first load. */
  ZENDESK_APP_SESSION_MINUTES: z.coerce.number().int().min(5).max(480).default(60),
  /** The Zendesk Apps framework SDK the sidebar page loads (the development Zendesk serves a stand-in). */
  ZENDESK_APP_SDK_URL: z.string().url().default(ZAF_SDK_URL),
  /** The signing secret of the Zendesk webhook that asks for triage on arrival (decision 031). */
  ZENDESK_WEBHOOK_SECRET: z.string().min(16, "must be the webhook's signing secret (at least 16 characters)").optional(),
  /** Ed25519 key signing the audit chain's checkpoints and the exports (lib/audit/signing-key.ts, decision 036). */
  AUDIT_SIGNING_KEY: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return null;
      try {
        return parseAuditSigningKey(raw);
      } catch (error) {
        if (!(error instanceof SigningKeyError)) throw error;
        ctx.addIssue({ code: "custom", message: error.message });
        return z.NEVER;
      }
    }),
  /** Minutes between signed checkpoints of the audit chain (the worker's schedule, `*\/N` in cron). */
  AUDIT_CHECKPOINT_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(60, "must be 1 to 60 (the schedule is every N minutes within the hour)")
    .refine((n) => 60 % n === 0, "must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60) so checkpoints are evenly spaced")
    .default(10),
  /** Which rules make a reset need a second staff member's approval (lib/approvals/policy.ts): a list, or "none". */
  APPROVAL_RULES: z
    .string()
    .default(APPROVAL_RULES.join(","))
    .transform((raw) =>
      raw.trim().toLowerCase() === "none"
        ? []
        : [
            ...new Set(
              raw
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean),
            ),
          ],
    )
    .pipe(z.array(z.enum(APPROVAL_RULES, { error: `each rule must be one of ${APPROVAL_RULES.join(", ")} (or the whole value "none")` }))),
  /** A family reset of more accounts than this needs approval. */
  APPROVAL_FAMILY_MAX_ACCOUNTS: z.coerce.number().int().min(1).max(1001).default(5),
  /** A reset of an account that was reset within this many days needs approval. */
  APPROVAL_RECENT_RESET_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Who may approve: lead, admin or both (never an agent: approving is a lead's permission, approvals:decide). */
  APPROVAL_APPROVER_ROLES: z
    .string()
    .default("lead,admin")
    .transform((raw) => [
      ...new Set(
        raw
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.enum(["lead", "admin"], { error: "each approver role must be lead or admin" })).min(1, "name at least one role")),
  /** How long a request waits for its decision and its execution. */
  APPROVAL_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 14)
    .default(24),
  /** Who carries out an approved reset: the requester (default), or the approver at once when approving. */
  APPROVAL_EXECUTES: z.enum(["requester", "approver"], { error: "must be requester or approver" }).default("requester"),
});

export type AppConfig = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Pure: parse a given environment. Throws ConfigError naming every bad setting. */
export function loadConfig(env: Record<string, string | undefined>) {
  // Empty strings in .env files mean "not set".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = rawSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ConfigError(`Invalid Scopedesk configuration:\n${lines.join("\n")}`);
  }
  const c = parsed.data;
  // A production build is production unless the environment says otherwise
  // (the demo, the tests and the benchmarks run it as development or test).
  const appEnvironment = c.SCOPEDESK_ENV ?? (c.NODE_ENV === "production" ? "production" : "development");
  if (appEnvironment === "production") {
    const missing = (["AUTH_SECRET", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "AUDIT_SIGNING_KEY"] as const).filter(
      (k) => !c[k],
    );
    if (missing.length > 0) {
      const hints: Partial<Record<(typeof missing)[number], string>> = {
        AUTH_SECRET: AUTH_SECRET_HINT,
        AUDIT_SIGNING_KEY: AUDIT_SIGNING_KEY_HINT,
      };
      const lines = missing.map((k) => `  - ${k}: required in production${hints[k] ? `. ${hints[k]}` : ""}`);
      throw new ConfigError(
        `Invalid Scopedesk configuration (production: SCOPEDESK_ENV=production, or NODE_ENV=production without SCOPEDESK_ENV):\n${lines.join("\n")}`,
      );
    }
  }
  const zendeskProblems = zendeskAppProblems(c, appEnvironment);
  if (zendeskProblems.length > 0) {
    throw new ConfigError(`Invalid Scopedesk configuration:\n${zendeskProblems.map((p) => `  - ${p}`).join("\n")}`);
  }
  const devIssuer = `http://127.0.0.1:${c.DEV_IDP_PORT}`;
  return {
    env: appEnvironment,
    databaseUrl: c.DATABASE_URL ?? DEV_APP_DATABASE_URL,
    // One connection string for both is a single-role setup (the app then owns its tables: decision 014).
    migrationDatabaseUrl: c.MIGRATION_DATABASE_URL ?? c.DATABASE_URL ?? DEV_OWNER_DATABASE_URL,
    authSecret: c.AUTH_SECRET ?? null,
    oidc: {
      issuer: c.OIDC_ISSUER ?? devIssuer,
      clientId: c.OIDC_CLIENT_ID ?? "scopedesk",
      clientSecret: c.OIDC_CLIENT_SECRET ?? "scopedesk-dev-secret",
      providerName: c.OIDC_ISSUER ? c.OIDC_PROVIDER_NAME : "Scopedesk development sign-in",
      rolesClaim: c.OIDC_ROLES_CLAIM,
      roleMap: c.OIDC_ROLE_MAP,
      usesDevIdp: !c.OIDC_ISSUER,
    },
    devIdpPort: c.DEV_IDP_PORT,
    sessionMaxAgeSeconds: Math.round(c.SESSION_MAX_AGE_HOURS * 3600),
    signupCutoff: c.SIGNUP_CUTOFF,
    /** Which ticket links are ours (lib/tickets.ts). */
    helpdesk: { baseUrl: c.HELPDESK_BASE_URL.replace(/\/+$/, ""), allowedSubdomains: c.HELPDESK_ALLOWED_SUBDOMAINS },
    logLevel: c.LOG_LEVEL,
    trustProxy: c.TRUST_PROXY,
    publicUrl: c.AUTH_URL ? new URL(c.AUTH_URL).origin : null,
    hsts: c.HSTS,
    helpdeskReplyAuthor: c.HELPDESK_REPLY_AUTHOR,
    triageTags: c.TRIAGE_TAGS === "on",
    /** The Zendesk ticket-sidebar app, when configured (lib/zendesk-app, decision 030). */
    zendeskApp:
      c.ZENDESK_APP_ID && c.ZENDESK_APP_INSTALLATION_ID
        ? {
            appId: c.ZENDESK_APP_ID,
            installationId: c.ZENDESK_APP_INSTALLATION_ID,
            publicKeyPem: c.ZENDESK_APP_PUBLIC_KEY?.replace(/\\n/g, "\n") ?? null,
            sessionMinutes: c.ZENDESK_APP_SESSION_MINUTES,
            sdkUrl: c.ZENDESK_APP_SDK_URL,
          }
        : null,
    /** The triage webhook's signing secret; without it the webhook is not offered (lib/triage, decision 031). */
    zendeskWebhookSecret: c.ZENDESK_WEBHOOK_SECRET ?? null,
    audit: {
      /** Null when no key is configured (development without one): no checkpoints, exports unsealed. */
      signingKey: c.AUDIT_SIGNING_KEY,
      checkpointMinutes: c.AUDIT_CHECKPOINT_MINUTES,
    },
    approvals: {
      rules: c.APPROVAL_RULES,
      familyMaxAccounts: c.APPROVAL_FAMILY_MAX_ACCOUNTS,
      recentResetDays: c.APPROVAL_RECENT_RESET_DAYS,
      approverRoles: c.APPROVAL_APPROVER_ROLES,
      ttlMs: Math.round(c.APPROVAL_TTL_HOURS * 3_600_000),
      executes: c.APPROVAL_EXECUTES,
    },
  };
}

/** What the Zendesk app and webhook settings get wrong, by the environment's rules. */
function zendeskAppProblems(c: z.output<typeof rawSchema>, env: z.output<typeof appEnv>): string[] {
  const problems: string[] = [];
  if (Boolean(c.ZENDESK_APP_ID) !== Boolean(c.ZENDESK_APP_INSTALLATION_ID)) {
    problems.push("ZENDESK_APP_ID and ZENDESK_APP_INSTALLATION_ID: set both (the sidebar app) or neither");
  }
  if (env !== "production") return problems;
  if (c.ZENDESK_WEBHOOK_SECRET !== undefined) {
    if (PUBLISHED_WEBHOOK_SECRETS.includes(c.ZENDESK_WEBHOOK_SECRET)) {
      problems.push(
        "ZENDESK_WEBHOOK_SECRET: this secret is published (Zendesk's test secret or the development default); use the webhook's own",
      );
    } else if (c.ZENDESK_WEBHOOK_SECRET.length < 32) {
      problems.push("ZENDESK_WEBHOOK_SECRET: too short for production (Zendesk's signing secrets are 44 characters)");
    }
  }
  if (!c.ZENDESK_APP_SDK_URL.startsWith("https://")) problems.push("ZENDESK_APP_SDK_URL: must be https in production");
  return problems;
}

let cached: AppConfig | undefined;

/** The secret that seals session tokens; there is no default (issue 13). */
export function requireAuthSecret(config: AppConfig): string {
  if (config.authSecret) return config.authSecret;
  throw new ConfigError(`Invalid Scopedesk configuration:\n  - AUTH_SECRET: not set. ${AUTH_SECRET_HINT}`);
}

/** The process configuration, parsed on first use. */
export function getConfig(): AppConfig {
  cached ??= loadConfig(process.env);
  return cached;
}
