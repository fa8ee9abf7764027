import { describe, expect, it } from "vitest";
import { clientAddress, parseTrustProxy } from "./client-address";

describe("clientAddress", () => {
  it("believes no forwarding header unless proxies are trusted", () => {
    expect(clientAddress("203.0.113.9", "1.2.3.4", parseTrustProxy(undefined))).toBe("203.0.113.9");
    expect(clientAddress("::ffff:127.0.0.1", "9.9.9.9", parseTrustProxy("false"))).toBe("127.0.0.1");
    expect(clientAddress(null, "9.9.9.9", parseTrustProxy("1"))).toBeNull();
  });

  it("takes the address the given number of hops away", () => {
    // client 198.51.100.7 → proxy 10.0.0.2 (appends the client) → us
    expect(clientAddress("10.0.0.2", "198.51.100.7", parseTrustProxy("1"))).toBe("198.51.100.7");
    // A client forging a leading entry cannot choose its address.
    expect(clientAddress("10.0.0.2", "6.6.6.6, 198.51.100.7", parseTrustProxy("1"))).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2", parseTrustProxy("2"))).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.2", "", parseTrustProxy("1"))).toBe("10.0.0.2");
  });

  it("walks past trusted ranges from the right", () => {
    const trust = parseTrustProxy("10.0.0.0/8, ::1");
    expect(clientAddress("10.1.2.3", "6.6.6.6, 198.51.100.7, 10.9.9.9", trust)).toBe("198.51.100.7");
    expect(clientAddress("203.0.113.1", "198.51.100.7", trust)).toBe("203.0.113.1"); // an untrusted peer's header is ignored
    expect(clientAddress("::1", "not-an-ip, 2001:db8::5", trust)).toBe("2001:db8::5");
  });

  it("refuses a malformed setting", () => {
    expect(() => parseTrustProxy("everyone")).toThrow(/TRUST_PROXY/);
    expect(() => parseTrustProxy("10.0.0.0/33")).toThrow(/prefix/);
  });
});
