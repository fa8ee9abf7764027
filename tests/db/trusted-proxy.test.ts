import type { IncomingMessage } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { getHttpApp } from "@/lib/http/app";
import { getDb } from "@/lib/platform/db";

/**
 * The pipeline's wiring of TRUST_PROXY, without a second server: the app's
 * fetch with the Node request binding the production server hands it, here a
 * fake one with only a peer address. This file runs with one proxy trusted
 * (TRUST_PROXY=1, read at the first request); the HTTP tests cover the
 * default (nobody trusted) against the real server.
 */
process.env.TRUST_PROXY = "1";
const peer = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } as unknown as IncomingMessage });
const buckets = (addresses: string[]) =>
  getDb().apiRateLimit.findMany({ where: { bucket: { in: addresses.map((a) => `ip:${a}`) } }, select: { bucket: true, count: true } });
const cleanUp = (addresses: string[]) => getDb().apiRateLimit.deleteMany({ where: { bucket: { in: addresses.map((a) => `ip:${a}`) } } });

afterAll(async () => {
  delete process.env.TRUST_PROXY;
  await cleanUp(["198.51.100.23", "198.51.100.24", "10.0.0.2", "6.6.6.6"]);
});

describe("behind one trusted proxy", () => {
  it("counts a keyless /v3 caller by the address the proxy forwarded, not a forged leading entry", async () => {
    const response = await getHttpApp().fetch(
      new Request("http://localhost/v3/scopes", { headers: { "x-forwarded-for": "6.6.6.6, 198.51.100.23" } }),
      peer("10.0.0.2"),
    );
    expect(response.status).toBe(401);
    expect(await buckets(["198.51.100.23", "6.6.6.6", "10.0.0.2"])).toEqual([{ bucket: "ip:198.51.100.23", count: 1 }]);
  });

  it("takes the peer itself when the proxy forwarded nothing", async () => {
    await getHttpApp().fetch(new Request("http://localhost/v3/scopes"), peer("::ffff:198.51.100.24"));
    expect(await buckets(["198.51.100.24"])).toEqual([{ bucket: "ip:198.51.100.24", count: 1 }]);
  });

  it("makes its own request id and sends HSTS only over https (HSTS=auto)", async () => {
    const plain = await getHttpApp().fetch(
      new Request("http://localhost/api/health", { headers: { "x-request-id": "mine" } }),
      peer("10.0.0.2"),
    );
    expect(plain.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(plain.headers.get("strict-transport-security")).toBeNull();
    const secure = await getHttpApp().fetch(new Request("https://console.example/api/health"), peer("10.0.0.2"));
    expect(secure.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });
});
