import type { NextRequest } from "next/server";
import { v3Routes } from "@/lib/server/v3/endpoints";
import { bodyTooLarge, handleV3Request } from "@/lib/server/v3/route";

// Every /v3 request under `next dev` (in production scripts/server.ts answers
// /v3 before Next sees it, through the same pipeline): adapt and hand over.
async function handle(request: NextRequest): Promise<Response> {
  const response = await handleV3Request(v3Routes, {
    method: request.method,
    path: request.nextUrl.pathname,
    query: request.nextUrl.searchParams,
    headers: request.headers,
    readBody: (maxBytes) => readWebBody(request, maxBytes),
  });
  return new Response(response.body, { status: response.status, headers: response.headers });
}

/** Reads at most maxBytes of the body as UTF-8, stopping as soon as it is over. */
async function readWebBody(request: NextRequest, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (declared > maxBytes) throw bodyTooLarge(maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw bodyTooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE };
