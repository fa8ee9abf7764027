import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { getConfig } from "@/lib/platform/config";
import { clientAddress } from "@/lib/platform/client-address";
import type { RequestMeta } from "@/lib/audit/append-audit-event";

/**
 * Who sent a request, as every audited action records it, by one rule for
 * every way in: our own request id (always made here; a caller's well-formed
 * X-Request-Id is kept beside it, labelled as the caller's), the client's
 * address (the peer's, or what trusted proxies forwarded: TRUST_PROXY) and the
 * user agent. The HTTP pipeline builds it from the Node request it is handed;
 * for what Next serves (pages, Auth.js's /api/auth), the production server
 * builds it from the socket and hands it over in an AsyncLocalStorage, not in
 * a request header, which any client could send too.
 */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Anything headers can be read from by name: the web `Headers`, or a Node request's through an adapter. */
export interface HeaderReader {
  get(name: string): string | null | undefined;
}

export function requestMetaOf(peer: string | null | undefined, headers: HeaderReader): RequestMeta {
  const clientId = headers.get("x-request-id");
  return {
    requestId: randomUUID(),
    clientRequestId: clientId && CLIENT_REQUEST_ID.test(clientId) ? clientId : null,
    ip: clientAddress(peer, headers.get("x-forwarded-for"), getConfig().trustProxy)?.slice(0, 100) ?? null,
    userAgent: headers.get("user-agent")?.slice(0, 500) ?? null,
  };
}

// On globalThis: the production server and Next's server bundles load their own copies of this module.
const holder = globalThis as unknown as { __scopedeskRequestMeta?: AsyncLocalStorage<RequestMeta> };
const requestMetaStore = (holder.__scopedeskRequestMeta ??= new AsyncLocalStorage<RequestMeta>());

/** Runs Next's handling of one request with the meta the production server made for it. */
export function withRequestMeta<T>(meta: RequestMeta, handle: () => T): T {
  return requestMetaStore.run(meta, handle);
}

/**
 * The meta of the request Next is handling (Auth.js's callbacks). Under
 * `next dev` no server made one, so the address is unknown rather than
 * taken from a header the client chose.
 */
export function currentRequestMeta(headers: HeaderReader): RequestMeta {
  return requestMetaStore.getStore() ?? requestMetaOf(null, headers);
}
