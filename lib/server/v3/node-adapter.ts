import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { getLogger } from "../logger";
import { v3Routes } from "./endpoints";
import { bodyTooLarge, handleV3Request, type V3Request } from "./route";

/**
 * /v3 served straight from Node's http server, in front of Next (see
 * scripts/server.ts and docs/decisions/007-v3-beside-next.md): the same
 * pipeline and endpoints as the Next route handler, without turning a 230 KB
 * body into web streams first.
 */
export function isV3Path(url: string | undefined): boolean {
  return url !== undefined && (url === "/v3" || url.startsWith("/v3/") || url.startsWith("/v3?"));
}

export function serveV3(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  const request: V3Request = {
    method: req.method ?? "GET",
    path: url.pathname,
    query: url.searchParams,
    headers: {
      get(name) {
        const value = req.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    },
    readBody: (maxBytes) => readNodeBody(req, maxBytes),
  };
  handleV3Request(v3Routes, request).then(
    (response) => {
      res.writeHead(response.status, response.headers);
      res.end(response.body ?? undefined);
    },
    (error: unknown) => {
      // handleV3Request answers every failure itself; this is the last resort.
      getLogger().error({ err: error }, "v3 node adapter failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end('{"errors":[{"message":"Internal Server Error","field":""}]}');
    },
  );
}

/** Reads at most maxBytes of the body as UTF-8. */
function readNodeBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (declared > maxBytes) return Promise.reject(bodyTooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Node discards the rest of the body once the answer is sent.
        reject(bodyTooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size).toString("utf8"));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      req.off("data", onData).off("end", onEnd).off("error", onError);
    };
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}
