import { describe, expect, it } from "vitest";
import { createTokenSource, REQUESTED_TOKEN_LIFETIME_SECONDS, TOKEN_SCOPE } from "./oauth-token";
import { ZendeskError } from "./zendesk-errors";
import type { ZendeskRequest, ZendeskTransport } from "./zendesk-http";

/** A token endpoint that hands out tok-1, tok-2, … with the given lifetime, and records each request. */
function fakeTokenEndpoint(expiresIn: number | null | undefined, opts: { delayMs?: number; failFirst?: boolean } = {}) {
  const requests: ZendeskRequest<unknown>[] = [];
  const transport: ZendeskTransport = async <T>(request: ZendeskRequest<T>) => {
    requests.push(request);
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    if (opts.failFirst && requests.length === 1)
      throw new ZendeskError({ kind: "server", operation: "token", status: 500, message: "500" });
    return request.schema.parse({ access_token: `tok-${requests.length}`, token_type: "bearer", expires_in: expiresIn });
  };
  return { transport, requests };
}

function clock(start = 1_800_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const credentials = { clientId: "id", clientSecret: "secret" };

describe("createTokenSource", () => {
  it("asks with client credentials in a JSON body, a scope and a lifetime", async () => {
    const endpoint = fakeTokenEndpoint(3600);
    const tokens = createTokenSource({ transport: endpoint.transport, ...credentials, now: clock().now });
    expect(await tokens.get()).toBe("tok-1");
    expect(endpoint.requests[0]).toMatchObject({
      operation: "token",
      method: "POST",
      path: "/oauth/tokens",
      safeToRepeat: true,
      body: {
        grant_type: "client_credentials",
        client_id: "id",
        client_secret: "secret",
        scope: TOKEN_SCOPE,
        expires_in: REQUESTED_TOKEN_LIFETIME_SECONDS,
      },
    });
    expect(endpoint.requests[0]!.authorization).toBeUndefined();
  });

  it("keeps the token until a minute before it expires, then renews it", async () => {
    const endpoint = fakeTokenEndpoint(3600);
    const time = clock();
    const tokens = createTokenSource({ transport: endpoint.transport, ...credentials, now: time.now });
    expect(await tokens.get()).toBe("tok-1");
    time.advance(3600_000 - 60_001);
    expect(await tokens.get()).toBe("tok-1");
    time.advance(2);
    expect(await tokens.get()).toBe("tok-2");
    expect(endpoint.requests).toHaveLength(2);
  });

  it("renews a short-lived token half way through its life", async () => {
    const endpoint = fakeTokenEndpoint(60);
    const time = clock();
    const tokens = createTokenSource({ transport: endpoint.transport, ...credentials, now: time.now });
    await tokens.get();
    time.advance(29_999);
    expect(await tokens.get()).toBe("tok-1");
    time.advance(1);
    expect(await tokens.get()).toBe("tok-2");
  });

  it("shares one token request between concurrent callers", async () => {
    const endpoint = fakeTokenEndpoint(3600, { delayMs: 20 });
    const tokens = createTokenSource({ transport: endpoint.transport, ...credentials, now: clock().now });
    const got = await Promise.all(Array.from({ length: 10 }, () => tokens.get()));
    expect(new Set(got)).toEqual(new Set(["tok-1"]));
    expect(endpoint.requests).toHaveLength(1);
  });

  it("passes a failed token request to every waiting caller, then asks again on the next call", async () => {
    const endpoint = fakeTokenEndpoint(3600, { delayMs: 5, failFirst: true });
    const tokens = createTokenSource({ transport: endpoint.transport, ...credentials, now: clock().now });
    const results = await Promise.allSettled([tokens.get(), tokens.get()]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await tokens.get()).toBe("tok-2");
  });

  it("keeps a token without expires_in until it is invalidated, and ignores an older token's invalidation", async () => {
    const endpoint = fakeTokenEndpoint(undefined);
    const time = clock();
    const tokens = createTokenSource({ transport: endpoint.transport, ...credentials, now: time.now });
    expect(await tokens.get()).toBe("tok-1");
    time.advance(365 * 24 * 3600_000);
    expect(await tokens.get()).toBe("tok-1");
    tokens.invalidate("tok-1");
    expect(await tokens.get()).toBe("tok-2");
    tokens.invalidate("tok-1");
    expect(await tokens.get()).toBe("tok-2");
    expect(endpoint.requests).toHaveLength(2);
  });

  it("treats expires_in null like no expiry", async () => {
    const endpoint = fakeTokenEndpoint(null);
    const time = clock();
    const tokens = createTokenSource({ transport: endpoint.transport, ...credentials, now: time.now });
    await tokens.get();
    time.advance(10 * 24 * 3600_000);
    expect(await tokens.get()).toBe("tok-1");
  });
});
