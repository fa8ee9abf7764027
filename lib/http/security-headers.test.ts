import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "@/proxy";
import { getConfig } from "@/lib/platform/config";
import { framedPlainPagePolicy, newNonce, pageContentSecurityPolicy, sendsHsts, zendeskFrameAncestors } from "./security-headers";

describe("pageContentSecurityPolicy", () => {
  it("allows scripts only by the nonce, and nothing to frame, embed, rebase or post elsewhere", () => {
    expect(pageContentSecurityPolicy("abc123==", { dev: false })).toBe(
      "default-src 'self'; script-src 'self' 'nonce-abc123==' 'strict-dynamic'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
  });

  it("lets next dev evaluate and reload", () => {
    const policy = pageContentSecurityPolicy("n", { dev: true });
    expect(policy).toContain("script-src 'self' 'nonce-n' 'strict-dynamic' 'unsafe-eval';");
    expect(policy).toContain("connect-src 'self' ws:;");
  });

  it("lets only the named origins frame a page when told to (the Zendesk app's pages)", () => {
    const policy = pageContentSecurityPolicy("n", {
      dev: false,
      frameAncestors: ["https://acme.zendesk.com", "https://acme-eu.zendesk.com"],
    });
    expect(policy.endsWith("; frame-ancestors https://acme.zendesk.com https://acme-eu.zendesk.com")).toBe(true);
    expect(pageContentSecurityPolicy("n", { dev: false, frameAncestors: [] })).toContain("frame-ancestors 'none'");
  });

  it("makes a new 128-bit nonce each time", () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
  });
});

describe("sendsHsts", () => {
  it.each([
    ["auto", null, "http://localhost:3000/", false],
    ["auto", null, "https://console.example/", true],
    ["auto", "https://console.example", "http://10.0.0.5:3000/", true],
    ["auto", "http://localhost:3000", "http://localhost:3000/", false],
    ["on", "http://localhost:3000", "http://localhost:3000/", true],
    ["off", "https://console.example", "https://console.example/", false],
  ] as const)("HSTS=%s, public URL %s, request %s: %s", (hsts, publicUrl, url, expected) => {
    expect(sendsHsts({ hsts, publicUrl }, url)).toBe(expected);
  });
});

describe("zendeskFrameAncestors", () => {
  it("is the configured Zendesk account and its allowed brand subdomains, nothing else", () => {
    expect(zendeskFrameAncestors({ baseUrl: "https://acme.zendesk.com", allowedSubdomains: [] })).toEqual(["https://acme.zendesk.com"]);
    expect(zendeskFrameAncestors({ baseUrl: "https://acme.zendesk.com/", allowedSubdomains: ["acme-eu", "acme"] })).toEqual([
      "https://acme.zendesk.com",
      "https://acme-eu.zendesk.com",
    ]);
    expect(framedPlainPagePolicy(["https://acme.zendesk.com"])).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors https://acme.zendesk.com",
    );
  });
});

describe("proxy", () => {
  it("lets the configured Zendesk frame the Zendesk app's pages, and nothing frame any other", () => {
    const zendesk = new URL(getConfig().helpdesk.baseUrl).origin;
    expect(proxy(new NextRequest("http://localhost:3000/zendesk-app/sidebar")).headers.get("content-security-policy")).toMatch(
      new RegExp(`; frame-ancestors ${zendesk.replace(/\./g, "\\.")}$`),
    );
    for (const path of ["/", "/zendesk-appx", "/accounts/1", "/zendesk"]) {
      expect(proxy(new NextRequest(`http://localhost:3000${path}`)).headers.get("content-security-policy")).toMatch(
        /frame-ancestors 'none'$/,
      );
    }
  });

  it("puts the same policy on the request (for Next's nonce) and the response, a new nonce per request", () => {
    const first = proxy(new NextRequest("http://localhost:3000/accounts/1"));
    const second = proxy(new NextRequest("http://localhost:3000/accounts/1"));
    const policy = first.headers.get("content-security-policy")!;
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic'/);
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    expect(first.headers.get("x-middleware-override-headers")).toContain("content-security-policy");
    expect(second.headers.get("content-security-policy")).not.toBe(policy);
  });

  it("replaces a policy the client sent, so the client cannot choose the nonce", () => {
    const response = proxy(
      new NextRequest("http://localhost:3000/", { headers: { "content-security-policy": "script-src 'nonce-chosen'" } }),
    );
    expect(response.headers.get("x-middleware-request-content-security-policy")).not.toContain("chosen");
  });
});
