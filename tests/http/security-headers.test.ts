import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { scopeSetFingerprint } from "@/lib/scopes/fingerprint";
import { createAccount, createAccountWithKey, PRE_CUTOFF_SCOPES } from "../support/factories";
import { anonymousFetch, openTicket, signIn, type HttpSession } from "../support/http-session";
import { v3 } from "../support/v3-contract";

/**
 * Issue 13, headers: every page has a strict Content-Security-Policy with a
 * nonce of its own, and every script on it carries that nonce; /api and /v3
 * are never cached; wrong methods are a JSON 405 with Allow and a request id.
 * This server is plain http with an http public URL, so no HSTS (HSTS=auto).
 */
let agent: HttpSession;
let lead: HttpSession;
let pages: string[];

beforeAll(async () => {
  [agent, lead] = await Promise.all([signIn("agent@scopedesk.test"), signIn("lead@scopedesk.test")]);
  const ticket = await openTicket();
  const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
  const reset = await agent.fetch(`/api/accounts/${account.id}/scope-resets`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ticket: ticket.url, idempotencyKey: randomUUID(), expectedFingerprint: scopeSetFingerprint(PRE_CUTOFF_SCOPES) }),
  });
  const resetId = ((await reset.json()) as { reset: { id: string } }).reset.id;
  pages = [
    "/",
    "/lookup?q=legacy",
    `/accounts/${account.id}`,
    `/scope-resets/${resetId}`,
    `/tickets/${ticket.ticketId}`,
    "/audit",
    `/audit/resets/${resetId}`,
    `/audit/accounts/${account.id}`,
  ];
});

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
}

/** The policy's nonce, after checking the policy is the strict one. */
function checkPolicy(response: Response): string {
  const policy = response.headers.get("content-security-policy");
  expect(policy, `${response.url} has no Content-Security-Policy`).toBeTruthy();
  const d = directives(policy!);
  expect(d.get("default-src")).toEqual(["'self'"]);
  expect(d.get("object-src")).toEqual(["'none'"]);
  expect(d.get("base-uri")).toEqual(["'self'"]);
  expect(d.get("form-action")).toEqual(["'self'"]);
  expect(d.get("frame-ancestors")).toEqual(["'none'"]);
  const scripts = d.get("script-src")!;
  expect(scripts).toContain("'strict-dynamic'");
  expect(scripts).not.toContain("'unsafe-inline'");
  expect(scripts).not.toContain("'unsafe-eval'");
  const nonce = scripts.map((s) => /^'nonce-([A-Za-z0-9+/=]{22,})'$/.exec(s)?.[1]).find(Boolean);
  expect(nonce, policy!).toBeTruthy();
  return nonce!;
}

/** Every <script> of the page carries the nonce: Next's own and React's inline ones included. */
function checkScripts(html: string, nonce: string): void {
  const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
  expect(scripts.length).toBeGreaterThan(0);
  for (const attributes of scripts) expect(attributes, `<script${attributes}>`).toContain(`nonce="${nonce}"`);
}

describe("pages", () => {
  it("every console page has the strict policy, a fresh nonce, and only nonced scripts", async () => {
    const nonces = new Set<string>();
    for (const path of pages) {
      const response = await lead.fetch(path);
      expect(response.status, path).toBe(200);
      const nonce = checkPolicy(response);
      checkScripts(await response.text(), nonce);
      nonces.add(nonce);
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("strict-transport-security")).toBeNull();
    }
    expect(nonces.size).toBe(pages.length);
  });

  it("the sign-in page too, a new nonce on every load", async () => {
    const [first, second] = [await anonymousFetch("/signin"), await anonymousFetch("/signin")];
    const nonces = [checkPolicy(first), checkPolicy(second)];
    checkScripts(await first.text(), nonces[0]!);
    await second.text();
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it("the not-found, forbidden and signed-out pages too", async () => {
    for (const [session, path, status] of [
      [agent, "/no-such-page", 404],
      [agent, "/accounts/1999999999", 404],
      [await signIn("viewer@scopedesk.test"), "/audit", 403],
    ] as const) {
      const response = await session.fetch(path);
      expect(response.status, path).toBe(status);
      checkScripts(await response.text(), checkPolicy(response));
    }
    const signedOut = await anonymousFetch("/lookup");
    expect(signedOut.status).toBe(307);
    checkPolicy(signedOut);
  });

  it("a refused address's plain page allows nothing at all", async () => {
    const response = await anonymousFetch("/accounts/%zz");
    expect(response.status).toBe(400);
    const d = directives(response.headers.get("content-security-policy")!);
    expect(d.get("default-src")).toEqual(["'none'"]);
    expect(d.get("frame-ancestors")).toEqual(["'none'"]);
    expect(await response.text()).not.toContain("<script");
  });
});

describe("/api and /v3", () => {
  it("are never cached, nor sniffed or framed, on success and on error", async () => {
    const { key } = await createAccountWithKey();
    for (const response of [
      await agent.fetch("/api/accounts?q=legacy"),
      await agent.fetch("/api/accounts/abc"),
      await anonymousFetch("/api/accounts?q=legacy"),
      await anonymousFetch("/api/health"),
      await v3("/v3/scopes", { key: key.plaintext }),
      await v3("/v3/scopes"),
      await v3("/v3/nothing-here", { key: key.plaintext }),
    ]) {
      expect(response.headers.get("cache-control"), response.url).toBe("no-store");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get("strict-transport-security")).toBeNull();
      await response.arrayBuffer();
    }
  });

  it("answer a wrong method with a JSON 405, Allow and a request id", async () => {
    const { key } = await createAccountWithKey();
    const api = await agent.fetch("/api/accounts", { method: "DELETE" });
    expect(api.status).toBe(405);
    expect(api.headers.get("allow")).toBe("GET");
    const apiBody = (await api.json()) as { error: { code: string; requestId: string } };
    expect(apiBody.error).toMatchObject({ code: "method_not_allowed", requestId: api.headers.get("x-request-id") });

    const customer = await v3("/v3/recipients/erasejob", { method: "GET", key: key.plaintext });
    expect(customer.status).toBe(405);
    expect(customer.headers.get("allow")).toBe("POST");
    expect(customer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await customer.json()).toEqual({ errors: [{ message: "Method GET is not allowed here", field: "" }] });
  });
});
