import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ZendeskError } from "./zendesk-errors";
import { createTransport, parseRetryAfter, type ZendeskRequest } from "./zendesk-http";

const NOW = Date.parse("2026-12-01T12:00:00Z");

/** A fetch that plays the given steps in order: a Response to answer, or an Error to throw. */
function scripted(...steps: (Response | Error)[]) {
  const calls: RequestInit[] = [];
  const fetchStub: typeof fetch = async (_input, init) => {
    calls.push(init ?? {});
    const step = steps[calls.length - 1];
    if (!step) throw new Error("no more scripted answers");
    if (step instanceof Error) throw step;
    return step;
  };
  return { fetch: fetchStub, calls };
}

const jsonAnswer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** What undici throws when the connection fails: TypeError("fetch failed") with the socket error as cause. */
const connectionError = (code: string) => new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) });

function transportWith(fetchStub: typeof fetch) {
  return createTransport({
    baseUrl: "https://acme.zendesk.com/",
    timeoutMs: 1000,
    maxRetries: 2,
    maxRetryWaitMs: 5000,
    fetch: fetchStub,
    logger: undefined,
    now: () => NOW,
  });
}

const read: ZendeskRequest<{ ok: boolean }> = {
  operation: "getTicket",
  method: "GET",
  path: "/api/v2/tickets/1",
  schema: z.object({ ok: z.boolean() }),
};
const write: ZendeskRequest<{ ok: boolean }> = { ...read, operation: "addComment", method: "PUT", body: { ticket: {} } };

async function failure(promise: Promise<unknown>): Promise<ZendeskError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ZendeskError);
  return err as ZendeskError;
}

describe("parseRetryAfter", () => {
  it("reads delay-seconds and HTTP dates, and ignores anything else", () => {
    expect(parseRetryAfter("7", NOW)).toBe(7);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
    expect(parseRetryAfter("Tue, 01 Dec 2026 12:00:30 GMT", NOW)).toBe(30);
    expect(parseRetryAfter("Tue, 01 Dec 2026 11:00:00 GMT", NOW)).toBe(0);
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter("1.5", NOW)).toBeUndefined();
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
  });
});

describe("createTransport", () => {
  it("sends JSON to the base URL's path with the query, and returns the parsed answer", async () => {
    const script = scripted(jsonAnswer(200, { ok: true, extra: "ignored" }));
    const send = transportWith(script.fetch);
    expect(await send({ ...write, query: { include: "users" }, authorization: "Bearer t" })).toEqual({ ok: true });
    const headers = script.calls[0]!.headers as Record<string, string>;
    expect(headers).toEqual({ accept: "application/json", authorization: "Bearer t", "content-type": "application/json" });
    expect(script.calls[0]!.body).toBe('{"ticket":{}}');
    expect(script.calls[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it("reports a malformed 2xx as invalid_response, ambiguous only for a write", async () => {
    const notJson = await failure(transportWith(scripted(new Response("<html>", { status: 200 })).fetch)(read));
    expect(notJson).toMatchObject({
      kind: "invalid_response",
      ambiguous: false,
      status: 200,
      message: "Zendesk getTicket: the answer is not JSON",
    });
    const wrongShape = await failure(transportWith(scripted(jsonAnswer(200, { ok: "yes" })).fetch)(write));
    expect(wrongShape).toMatchObject({ kind: "invalid_response", ambiguous: true });
    expect(wrongShape.message).toContain("ok:");
  });

  it("retries a write whose connection was refused (nothing was sent), not one that broke after sending", async () => {
    const refused = scripted(connectionError("ECONNREFUSED"), jsonAnswer(200, { ok: true }));
    expect(await transportWith(refused.fetch)(write)).toEqual({ ok: true });
    expect(refused.calls).toHaveLength(2);

    const reset = scripted(connectionError("ECONNRESET"), jsonAnswer(200, { ok: true }));
    expect(await failure(transportWith(reset.fetch)(write))).toMatchObject({
      kind: "network",
      ambiguous: true,
      message: "Zendesk addComment: connection failed (ECONNRESET)",
    });
    expect(reset.calls).toHaveLength(1);

    const readReset = scripted(connectionError("ECONNRESET"), jsonAnswer(200, { ok: true }));
    expect(await transportWith(readReset.fetch)(read)).toEqual({ ok: true });
  });

  it("never repeats a write that got an answer: not after a 5xx (503 with Retry-After included), nor after a 429", async () => {
    for (const [status, headers] of [
      [503, { "retry-after": "0" }],
      [503, {}],
      [500, {}],
      [502, {}],
    ] as const) {
      const script = scripted(jsonAnswer(status, { error: "ServiceUnavailable" }, headers), jsonAnswer(200, { ok: true }));
      expect(await failure(transportWith(script.fetch)(write)), `${status} ${JSON.stringify(headers)}`).toMatchObject({
        status,
        ambiguous: true,
        transient: true,
      });
      expect(script.calls).toHaveLength(1);
    }
    // Zendesk says a 429 turned the write away, but the caller searches for its marker before posting again (decision 027).
    const limited = scripted(jsonAnswer(429, { error: "APIRateLimitExceeded" }, { "retry-after": "0" }), jsonAnswer(200, { ok: true }));
    expect(await failure(transportWith(limited.fetch)(write))).toMatchObject({ status: 429, kind: "rate_limited", ambiguous: false });
    expect(limited.calls).toHaveLength(1);
  });

  it("keeps Zendesk's 422 details and names the cases callers switch on", async () => {
    const cases: [unknown, string | undefined][] = [
      [
        {
          error: "RecordInvalid",
          description: "Record validation errors",
          details: { status: [{ description: "Status: closed prevents ticket update" }] },
        },
        "ticket_closed",
      ],
      [
        { error: "RecordInvalid", description: "Record validation errors", details: { author_id: [{ description: "Author is invalid" }] } },
        "author_invalid",
      ],
      [
        {
          error: "RecordInvalid",
          description: "Record validation errors",
          details: { base: [{ description: "Comment: body is too long (maximum is 65535 bytes)", error: "TooLong" }] },
        },
        "comment_too_large",
      ],
      [
        {
          error: "RecordInvalid",
          description: "Record validation errors",
          details: { base: [{ description: "the ticket has reached the maximum number of comments (5000)" }] },
        },
        "comment_limit",
      ],
      [
        { error: "RecordInvalid", description: "Record validation errors", details: { subject: [{ description: "Subject: is invalid" }] } },
        undefined,
      ],
    ];
    for (const [body, reason] of cases) {
      const err = await failure(transportWith(scripted(jsonAnswer(422, body)).fetch)(write));
      expect(err, reason).toMatchObject({ kind: "rejected", status: 422, reason, transient: false, ambiguous: false });
      expect(err.details).toEqual((body as { details: unknown }).details);
    }
    const tooBig = await failure(transportWith(scripted(jsonAnswer(413, { error: "RequestTooLarge" })).fetch)(write));
    expect(tooBig).toMatchObject({ kind: "rejected", reason: "comment_too_large" });
  });

  it("gives up after maxRetries with the last error", async () => {
    const script = scripted(...Array.from({ length: 5 }, () => jsonAnswer(500, { error: "InternalServerError", description: "boom" })));
    const err = await failure(transportWith(script.fetch)(read));
    expect(err).toMatchObject({
      kind: "server",
      status: 500,
      ambiguous: false,
      message: "Zendesk getTicket: 500 InternalServerError: boom",
    });
    expect(script.calls).toHaveLength(3);
  });

  it("does not retry a 4xx, and keeps only a short, single-line error description", async () => {
    const script = scripted(jsonAnswer(422, { error: "RecordInvalid", description: `line one\nline two ${"x".repeat(500)}` }));
    const err = await failure(transportWith(script.fetch)(write));
    expect(err).toMatchObject({ kind: "rejected", status: 422, ambiguous: false, transient: false });
    expect(err.message).not.toContain("\n");
    expect(err.message.length).toBeLessThan(260);
    expect(script.calls).toHaveLength(1);
  });
});
