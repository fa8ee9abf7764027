import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError } from "@/lib/platform/config";
import { helpdeskSettings, zendeskEnvShape } from "./helpdesk-settings";

const credentials = { ZENDESK_CLIENT_ID: "scopedesk", ZENDESK_CLIENT_SECRET: "s3cret" };

describe("helpdeskSettings", () => {
  it("is not connected without the client id and secret, and says what is missing", () => {
    expect(helpdeskSettings({ HELPDESK_BASE_URL: "https://acme.zendesk.com" })).toEqual({
      connected: false,
      reason: "Zendesk is not connected: ZENDESK_CLIENT_ID, ZENDESK_CLIENT_SECRET are not set.",
    });
    expect(helpdeskSettings({ HELPDESK_BASE_URL: "https://acme.zendesk.com", ZENDESK_CLIENT_ID: "x", ZENDESK_CLIENT_SECRET: "" })).toEqual({
      connected: false,
      reason: "Zendesk is not connected: ZENDESK_CLIENT_SECRET is not set.",
    });
    expect(helpdeskSettings(credentials)).toMatchObject({
      connected: false,
      reason: expect.stringContaining("HELPDESK_BASE_URL (or ZENDESK_SUBDOMAIN)"),
    });
  });

  it("gives the client options from HELPDESK_BASE_URL, without a trailing slash", () => {
    expect(helpdeskSettings({ HELPDESK_BASE_URL: "https://acme.zendesk.com/", ...credentials })).toEqual({
      connected: true,
      client: { baseUrl: "https://acme.zendesk.com", clientId: "scopedesk", clientSecret: "s3cret" },
    });
  });

  it("takes ZENDESK_SUBDOMAIN instead, or both when they agree", () => {
    const expected = { connected: true, client: { baseUrl: "https://acme.zendesk.com", clientId: "scopedesk", clientSecret: "s3cret" } };
    expect(helpdeskSettings({ ZENDESK_SUBDOMAIN: "Acme", ...credentials })).toEqual(expected);
    expect(helpdeskSettings({ ZENDESK_SUBDOMAIN: "acme", HELPDESK_BASE_URL: "https://acme.zendesk.com", ...credentials })).toEqual(
      expected,
    );
  });

  it("accepts plain http only on loopback (the development Zendesk)", () => {
    expect(helpdeskSettings({ HELPDESK_BASE_URL: "http://127.0.0.1:3002", ...credentials })).toMatchObject({
      connected: true,
      client: { baseUrl: "http://127.0.0.1:3002" },
    });
    expect(() => helpdeskSettings({ HELPDESK_BASE_URL: "http://acme.zendesk.com", ...credentials })).toThrow(
      /HELPDESK_BASE_URL: must be https/,
    );
  });

  it("throws ConfigError naming a malformed or contradictory setting", () => {
    expect(() => helpdeskSettings({ HELPDESK_BASE_URL: "acme.zendesk.com" })).toThrow(ConfigError);
    expect(() => helpdeskSettings({ HELPDESK_BASE_URL: "https://acme.zendesk.com/agent" })).toThrow(/must be just the origin/);
    expect(() => helpdeskSettings({ HELPDESK_BASE_URL: "https://user:pw@acme.zendesk.com" })).toThrow(/must be just the origin/);
    expect(() => helpdeskSettings({ ZENDESK_SUBDOMAIN: "acme.zendesk.com" })).toThrow(/ZENDESK_SUBDOMAIN: must be a Zendesk subdomain/);
    expect(() => helpdeskSettings({ ZENDESK_SUBDOMAIN: "other", HELPDESK_BASE_URL: "https://acme.zendesk.com", ...credentials })).toThrow(
      /ZENDESK_SUBDOMAIN: names https:\/\/other\.zendesk\.com, but HELPDESK_BASE_URL is https:\/\/acme\.zendesk\.com/,
    );
  });

  it("never puts the secret in an error message", () => {
    try {
      helpdeskSettings({ HELPDESK_BASE_URL: "ftp://x", ZENDESK_CLIENT_ID: "id", ZENDESK_CLIENT_SECRET: "top-secret-value" });
      expect.unreachable();
    } catch (err) {
      expect(String(err)).not.toContain("top-secret-value");
    }
  });

  it("exports a schema fragment that lib/platform/config.ts can spread into its own", () => {
    const schema = z.object({ HELPDESK_BASE_URL: z.string().url().default("https://scopedesk.zendesk.com"), ...zendeskEnvShape });
    expect(schema.parse({ ZENDESK_SUBDOMAIN: "acme" })).toEqual({
      HELPDESK_BASE_URL: "https://scopedesk.zendesk.com",
      ZENDESK_SUBDOMAIN: "acme",
    });
    expect(schema.safeParse({ ZENDESK_CLIENT_ID: "" }).success).toBe(false);
  });
});
