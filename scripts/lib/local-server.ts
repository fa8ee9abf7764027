import type { Server } from "node:http";

/** The host part of a local server's URL: a wildcard address is reached on loopback, an IPv6 one in brackets. */
export function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/** Stops listening and drops open connections: fetch() and browsers keep them alive, so close() alone would wait for them. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
