import "server-only";
import { randomUUID } from "node:crypto";
import type { RequestMeta } from "@/lib/audit/append-audit-event";

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

/** Anything headers can be read from by name: the web `Headers`, or a Node request's through an adapter. */
export interface HeaderReader {
  get(name: string): string | null;
}

/** Request id (ours unless a well-formed one came in), client IP and user agent. */
export function requestMetaFrom(headers: HeaderReader): RequestMeta {
  const incoming = headers.get("x-request-id");
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return {
    requestId: incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID(),
    ip: (forwarded || headers.get("x-real-ip") || null)?.slice(0, 100) ?? null,
    userAgent: headers.get("user-agent")?.slice(0, 500) ?? null,
  };
}
