import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, requireAuthSecret } from "./config";

const SECRET = "x".repeat(32);
const PRODUCTION_SETTINGS = { AUTH_SECRET: SECRET, OIDC_ISSUER: "https://idp.example", OIDC_CLIENT_ID: "c", OIDC_CLIENT_SECRET: "s" };

describe("loadConfig", () => {
  it("has no session secret unless one is set, and says how to make one", () => {
    const config = loadConfig({});
    expect(config.authSecret).toBeNull();
    expect(() => requireAuthSecret(config)).toThrow(ConfigError);
    expect(() => requireAuthSecret(config)).toThrow(/AUTH_SECRET.*openssl rand -base64 32/);
    expect(requireAuthSecret(loadConfig({ AUTH_SECRET: SECRET }))).toBe(SECRET);
  });

  it("refuses a session secret shorter than 32 characters", () => {
    expect(() => loadConfig({ AUTH_SECRET: "too-short" })).toThrow(/AUTH_SECRET: must be at least 32 characters/);
  });

  it("is production when NODE_ENV=production and SCOPEDESK_ENV is not set, and then needs every secret", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/AUTH_SECRET: required in production[\s\S]*OIDC_ISSUER/);
    expect(loadConfig({ NODE_ENV: "production", ...PRODUCTION_SETTINGS }).env).toBe("production");
    expect(loadConfig({ NODE_ENV: "production", SCOPEDESK_ENV: "test" }).env).toBe("test");
    expect(loadConfig({ NODE_ENV: "development" }).env).toBe("development");
    expect(() => loadConfig({ SCOPEDESK_ENV: "production", AUTH_SECRET: SECRET })).toThrow(/OIDC_ISSUER: required in production/);
  });

  it("connects as the app role and migrates as the owner by default; one URL alone is used for both", () => {
    expect(loadConfig({})).toMatchObject({
      databaseUrl: "postgresql://scopedesk_app@127.0.0.1:5432/scopedesk",
      migrationDatabaseUrl: "postgresql://scopedesk_owner@127.0.0.1:5432/scopedesk",
    });
    const single = "postgresql://someone@db.example:5432/console";
    expect(loadConfig({ DATABASE_URL: single })).toMatchObject({ databaseUrl: single, migrationDatabaseUrl: single });
    const owner = "postgresql://owner@db.example:5432/console";
    expect(loadConfig({ DATABASE_URL: single, MIGRATION_DATABASE_URL: owner })).toMatchObject({
      databaseUrl: single,
      migrationDatabaseUrl: owner,
    });
  });

  it("reads the approval policy with its defaults, and refuses what it cannot use", () => {
    expect(loadConfig({}).approvals).toEqual({
      rules: ["key_losses", "family_size", "anomaly", "recent_reset"],
      familyMaxAccounts: 5,
      recentResetDays: 30,
      approverRoles: ["lead", "admin"],
      ttlMs: 24 * 3_600_000,
      executes: "requester",
    });
    expect(loadConfig({ APPROVAL_RULES: "none" }).approvals.rules).toEqual([]);
    expect(loadConfig({ APPROVAL_RULES: " anomaly, key_losses ,anomaly" }).approvals.rules).toEqual(["anomaly", "key_losses"]);
    expect(
      loadConfig({ APPROVAL_APPROVER_ROLES: "lead", APPROVAL_EXECUTES: "approver", APPROVAL_TTL_HOURS: "1.5" }).approvals,
    ).toMatchObject({
      approverRoles: ["lead"],
      executes: "approver",
      ttlMs: 5_400_000,
    });
    expect(() => loadConfig({ APPROVAL_RULES: "key_losses,everything" })).toThrow(/APPROVAL_RULES.*each rule must be one of/);
    expect(() => loadConfig({ APPROVAL_APPROVER_ROLES: "agent" })).toThrow(/APPROVAL_APPROVER_ROLES.*lead or admin/);
    expect(() => loadConfig({ APPROVAL_EXECUTES: "anyone" })).toThrow(/APPROVAL_EXECUTES: must be requester or approver/);
    expect(() => loadConfig({ APPROVAL_FAMILY_MAX_ACCOUNTS: "0" })).toThrow(/APPROVAL_FAMILY_MAX_ACCOUNTS/);
  });
});
