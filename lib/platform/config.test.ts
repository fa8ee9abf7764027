import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateAuditSigningKeyPem } from "@/lib/audit/signing-key";
import { ConfigError, loadConfig, requireAuthSecret } from "./config";

const SECRET = "x".repeat(32);
const SIGNING_KEY = Buffer.from(generateAuditSigningKeyPem()).toString("base64");
const PRODUCTION_SETTINGS = {
  AUTH_SECRET: SECRET,
  OIDC_ISSUER: "https://idp.example",
  OIDC_CLIENT_ID: "c",
  OIDC_CLIENT_SECRET: "s",
  AUDIT_SIGNING_KEY: SIGNING_KEY,
};

describe("loadConfig", () => {
  it("has no session secret unless one is set, and says how to make one", () => {
    const config = loadConfig({});
    expect(config.authSecret).toBeNull();
    expect(() => requireAuthSecret(config)).toThrow(ConfigError);
    expect(() => requireAuthSecret(config)).toThrow(/AUTH_SECRET.*openssl rand -base64 32/);
    expect(requireAuthSecret(loadConfig({ AUTH_SECRET: SECRET }))).toBe(SECRET);
  });

  it("tags triaged tickets unless TRIAGE_TAGS=off, and refuses anything but on or off", () => {
    expect(loadConfig({}).triageTags).toBe(true);
    expect(loadConfig({ TRIAGE_TAGS: "off" }).triageTags).toBe(false);
    expect(() => loadConfig({ TRIAGE_TAGS: "yes" })).toThrow(/TRIAGE_TAGS: must be on or off/);
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
    const { AUDIT_SIGNING_KEY: _key, ...withoutKey } = PRODUCTION_SETTINGS;
    expect(() => loadConfig({ SCOPEDESK_ENV: "production", ...withoutKey })).toThrow(
      /AUDIT_SIGNING_KEY: required in production.*openssl genpkey -algorithm ed25519/,
    );
  });

  it("reads the audit signing key as PEM or base64, refuses anything but an Ed25519 private key, and never echoes it", () => {
    const pem = generateAuditSigningKeyPem();
    const fromPem = loadConfig({ AUDIT_SIGNING_KEY: pem }).audit.signingKey!;
    const fromBase64 = loadConfig({ AUDIT_SIGNING_KEY: Buffer.from(pem).toString("base64") }).audit.signingKey!;
    const fromEscapedLines = loadConfig({ AUDIT_SIGNING_KEY: pem.replace(/\n/g, "\\n") }).audit.signingKey!;
    expect(fromPem.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(fromBase64.keyId).toBe(fromPem.keyId);
    expect(fromEscapedLines.keyId).toBe(fromPem.keyId);
    expect(loadConfig({}).audit).toEqual({ signingKey: null, checkpointMinutes: 10 });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    expect(() => loadConfig({ AUDIT_SIGNING_KEY: rsa })).toThrow(/AUDIT_SIGNING_KEY: must be an Ed25519 key \(got rsa\)/);
    let message = "";
    try {
      loadConfig({ AUDIT_SIGNING_KEY: "not-a-key-but-a-secret-looking-value" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/AUDIT_SIGNING_KEY: is not a PKCS#8 private key/);
    expect(message).not.toContain("secret-looking");
  });

  it("takes the checkpoint interval in minutes that divide the hour", () => {
    expect(loadConfig({ AUDIT_CHECKPOINT_MINUTES: "15" }).audit.checkpointMinutes).toBe(15);
    expect(() => loadConfig({ AUDIT_CHECKPOINT_MINUTES: "7" })).toThrow(/must divide 60/);
    expect(() => loadConfig({ AUDIT_CHECKPOINT_MINUTES: "0" })).toThrow(/AUDIT_CHECKPOINT_MINUTES/);
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

describe("the Zendesk app and webhook settings", () => {
  it("configure the sidebar app with both ids, and refuse one without the other", () => {
    expect(loadConfig({}).zendeskApp).toBeNull();
    expect(loadConfig({ ZENDESK_APP_ID: "1", ZENDESK_APP_INSTALLATION_ID: "2" }).zendeskApp).toMatchObject({
      appId: "1",
      installationId: "2",
      publicKeyPem: null,
      sessionMinutes: 60,
      sdkUrl: "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js",
    });
    expect(() => loadConfig({ ZENDESK_APP_ID: "1" })).toThrow(/set both/);
    expect(() => loadConfig({ ZENDESK_APP_ID: "abc", ZENDESK_APP_INSTALLATION_ID: "2" })).toThrow(/ZENDESK_APP_ID/);
    expect(() => loadConfig({ ZENDESK_APP_PUBLIC_KEY: "not a key" })).toThrow(/PEM public key/);
  });

  it("refuse a published webhook secret, a short one and a plain-http SDK in production", () => {
    const production = { NODE_ENV: "production", ...PRODUCTION_SETTINGS };
    for (const secret of ["dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==", "scopedesk-dev-webhook-secret"]) {
      expect(() => loadConfig({ ...production, ZENDESK_WEBHOOK_SECRET: secret })).toThrow(
        /ZENDESK_WEBHOOK_SECRET: this secret is published/,
      );
      expect(loadConfig({ ZENDESK_WEBHOOK_SECRET: secret }).zendeskWebhookSecret).toBe(secret);
    }
    expect(() => loadConfig({ ...production, ZENDESK_WEBHOOK_SECRET: "x".repeat(20) })).toThrow(/too short for production/);
    expect(loadConfig({ ...production, ZENDESK_WEBHOOK_SECRET: "x".repeat(44) }).zendeskWebhookSecret).toBe("x".repeat(44));
    expect(() => loadConfig({ ...production, ZENDESK_APP_SDK_URL: "http://127.0.0.1:3002/zaf_sdk.min.js" })).toThrow(
      /must be https in production/,
    );
  });
});
