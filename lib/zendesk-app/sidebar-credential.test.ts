import { describe, expect, it } from "vitest";
import { newSessionSecret } from "@/lib/auth/session-secret";
import {
  parseSidebarCredential,
  sidebarCookie,
  sidebarCredential,
  sidebarCsrfMatches,
  sidebarCsrfToken,
  sidebarPageLocation,
} from "./sidebar-credential";

const STAFF = "0b8f0d2e-8c1e-4a52-9a55-5d1a3c7f9e10";

describe("the sidebar credential", () => {
  it("round-trips and refuses anything else", () => {
    const secret = newSessionSecret();
    expect(parseSidebarCredential(sidebarCredential(STAFF, secret))).toEqual({ staffId: STAFF, secret });
    for (const bad of [
      undefined,
      "",
      `sds1.${STAFF}`,
      `sds2.${STAFF}.${secret}`,
      `sds1.not-a-uuid.${secret}`,
      `sds1.${STAFF}.${secret}x`,
    ]) {
      expect(parseSidebarCredential(bad)).toBeNull();
    }
  });

  it("derives a CSRF token per session, compared in constant time", () => {
    const a = newSessionSecret();
    const b = newSessionSecret();
    expect(sidebarCsrfToken(a)).toBe(sidebarCsrfToken(a));
    expect(sidebarCsrfToken(a)).not.toBe(sidebarCsrfToken(b));
    expect(sidebarCsrfMatches(a, sidebarCsrfToken(a))).toBe(true);
    expect(sidebarCsrfMatches(a, sidebarCsrfToken(b))).toBe(false);
    expect(sidebarCsrfMatches(a, undefined)).toBe(false);
    expect(sidebarCsrfMatches(a, "short")).toBe(false);
  });

  it("is a host-only, https-only, partitioned cookie that Zendesk's frame may send", () => {
    expect(sidebarCookie("sds1.x.y", 3600)).toBe(
      "__Host-scopedesk-sidebar=sds1.x.y; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=None; Partitioned",
    );
  });

  it("continues to the sidebar page with the SDK's query, the origin only when it is Zendesk's", () => {
    const zendeskOrigins = ["https://acme.zendesk.com"];
    const query = new URLSearchParams({ origin: "https://acme.zendesk.com", app_guid: "a1b2-c3", other: "x" });
    expect(sidebarPageLocation({ query, zendeskOrigins, credentialInFragment: null })).toBe(
      "/zendesk-app/sidebar?origin=https%3A%2F%2Facme.zendesk.com&app_guid=a1b2-c3",
    );
    const foreign = new URLSearchParams({ origin: "https://evil.example", app_guid: "<script>" });
    expect(sidebarPageLocation({ query: foreign, zendeskOrigins, credentialInFragment: "sds1.a.b" })).toBe(
      "/zendesk-app/sidebar#session=sds1.a.b",
    );
  });
});
