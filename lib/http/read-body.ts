import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context } from "hono";

/**
 * The request body as text, read once, never past its limit: a declared
 * Content-Length over the limit is refused before reading, and a body
 * without one (chunked) is cut off as soon as it passes the limit, so at
 * most limit + 1 chunk's worth is ever held. Bytes that are not UTF-8 are
 * refused, not replaced. After a body refused for its size the connection
 * closes soon after the answer, so the server never takes in what the client
 * goes on sending.
 *
 * Read from Node's own stream when the production server hands the request
 * over (@hono/node-server puts it in `c.env.incoming`): turning a 5,000-address
 * erasure body into a web stream first costs a share of the request
 * (decision 007 has the figures). Under `next dev` (no Node request) it reads the
 * web stream. One reader, two sources; the same limits for both.
 */
export class BodyReadError extends Error {
  override name = "BodyReadError";
  constructor(
    readonly kind: "too_large" | "not_utf8" | "aborted",
    readonly limit: number,
  ) {
    super(
      kind === "too_large"
        ? `The request body is larger than ${limit} bytes.`
        : kind === "not_utf8"
          ? "The request body is not valid UTF-8."
          : "The request body was not sent completely.",
    );
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });

export async function readBody(c: Context, maxBytes: number): Promise<string> {
  const bytes = await readBodyBytes(c, maxBytes);
  try {
    return decoder.decode(bytes);
  } catch {
    throw new BodyReadError("not_utf8", maxBytes);
  }
}

/** The raw bytes, with the same limits (what a signature was computed over: lib/triage/webhook-signature.ts). */
export async function readBodyBytes(c: Context, maxBytes: number): Promise<Uint8Array> {
  const node = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
  let bytes: Uint8Array;
  try {
    const declared = Number(c.req.header("content-length"));
    if (Number.isFinite(declared) && declared > maxBytes) throw new BodyReadError("too_large", maxBytes);
    bytes = node?.incoming ? await readNode(node.incoming, maxBytes) : await readWeb(c.req.raw.body, maxBytes);
  } catch (error) {
    if (node?.incoming && node.outgoing && error instanceof BodyReadError && error.kind === "too_large")
      closeSoonAfterAnswer(node.incoming, node.outgoing);
    throw error;
  }
  return bytes;
}

function readNode(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        reject(new BodyReadError("too_large", maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onAbort = () => {
      cleanup();
      reject(new BodyReadError("aborted", maxBytes));
    };
    const cleanup = () => {
      req.off("data", onData).off("end", onEnd).off("error", onAbort).off("aborted", onAbort);
    };
    req.on("data", onData).on("end", onEnd).on("error", onAbort).on("aborted", onAbort);
  });
}

const LINGER_BYTES = 1024 * 1024;
const LINGER_MS = 200;

/**
 * After a body is refused for its size, what the client is still sending is
 * read and dropped, at most LINGER_BYTES, until LINGER_MS after the answer
 * went out; then, unless the body has ended by itself, the connection is
 * closed. Closing at once, with bytes unread, would reset the connection
 * before the client read the answer; reading on (as the adapter and Node do,
 * to reuse the connection) would take in the whole body, 24 MB in a fraction
 * of a second over loopback.
 */
function closeSoonAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  let dropped = 0;
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) req.pause();
  });
  req.resume();
  const close = () =>
    setTimeout(() => {
      if (!req.readableEnded) req.socket.destroy();
    }, LINGER_MS).unref();
  if (res.writableFinished) close();
  else res.once("finish", close);
}

async function readWeb(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      throw new BodyReadError("aborted", maxBytes);
    });
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyReadError("too_large", maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
