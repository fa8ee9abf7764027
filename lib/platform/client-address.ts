/**
 * Who is calling: the peer address of the connection, or, behind proxies the
 * operator trusts (`TRUST_PROXY`), the address they forwarded. A client's own
 * `X-Forwarded-For` is never believed otherwise: it would let anyone pick the
 * address recorded in the audit log and rotate past per-address rate limits.
 * Pure; the HTTP pipeline's request-context middleware calls it.
 *
 * TRUST_PROXY:
 *   unset / "false"    trust nobody: the peer address is the client
 *   "1", "2", …        that many proxies in front: take the address that many hops from the right of X-Forwarded-For
 *   "10.0.0.0/8,::1"   trust peers in these ranges: walk X-Forwarded-For from the right past trusted addresses
 */
import { BlockList, isIP } from "node:net";

export type TrustProxy = { kind: "none" } | { kind: "hops"; hops: number } | { kind: "ranges"; list: BlockList; text: string };

export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = (raw ?? "").trim();
  if (value === "" || value === "false" || value === "0") return { kind: "none" };
  if (/^[1-9][0-9]?$/.test(value)) return { kind: "hops", hops: Number(value) };
  const list = new BlockList();
  for (const part of value
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [address, prefix] = part.split("/");
    const family = isIP(address ?? "");
    if (family === 0) throw new Error(`TRUST_PROXY: "${part}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1), nor a hop count`);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address!, type);
    else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32))
        throw new Error(`TRUST_PROXY: "${part}" has a bad prefix length`);
      list.addSubnet(address!, bits, type);
    }
  }
  return { kind: "ranges", list, text: value };
}

/** IPv4-mapped IPv6 ("::ffff:127.0.0.1") as the IPv4 it is. */
function plain(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** The client's address, or null when the peer is unknown (no socket, e.g. under `next dev`). */
export function clientAddress(peer: string | null | undefined, forwardedFor: string | null | undefined, trust: TrustProxy): string | null {
  const direct = peer ? plain(peer) : null;
  if (trust.kind === "none" || !direct) return direct;
  const hops = (forwardedFor ?? "")
    .split(",")
    .map((h) => plain(h.trim()))
    .filter((h) => isIP(h) !== 0);
  if (trust.kind === "hops") {
    // The peer is the nearest proxy; the client is `hops` entries from the right (or the leftmost there is).
    const chain = [...hops, direct];
    return chain[Math.max(0, chain.length - 1 - trust.hops)] ?? direct;
  }
  if (!isTrusted(trust.list, direct)) return direct;
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isTrusted(trust.list, hops[i]!)) return hops[i]!;
  }
  return hops[0] ?? direct;
}
