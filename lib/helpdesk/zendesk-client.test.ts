import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startDevZendesk, type DevZendesk } from "@/scripts/dev-zendesk/server";
import { expectExchangesMatchContract, recordingFetch, type Exchange } from "@/tests/support/zendesk-contract";
import { createZendeskClient, type ZendeskClientOptions } from "./zendesk-client";
import { ZendeskError } from "./zendesk-errors";

// Every test gets its own development Zendesk, so counts and comments start from the seed.
let zendesk: DevZendesk;
let recorded: Exchange[][] = [];

beforeEach(async () => {
  zendesk = await startDevZendesk({ port: 0, log: () => {} });
});

afterEach(async () => {
  // Every request the client made and every answer it got, against the official description.
  try {
    for (const exchanges of recorded) await expectExchangesMatchContract(exchanges);
  } finally {
    recorded = [];
    await zendesk.close();
  }
});

interface LogLine {
  level: "info" | "warn";
  fields: { zendesk: Record<string, unknown> };
  message: string;
}

type Rewrite = (method: string, url: URL, answer: Response) => Promise<Response | undefined>;

/**
 * A client of this test's development Zendesk whose traffic is recorded for the contract check.
 * `rewrite` may replace an answer on its way to the client (the recording keeps the original).
 */
function connect(options: Partial<ZendeskClientOptions> = {}, rewrite?: Rewrite) {
  const recorder = recordingFetch();
  recorded.push(recorder.exchanges);
  const lines: LogLine[] = [];
  const logger = {
    info: (fields: Record<string, unknown>, message: string) => lines.push({ level: "info", fields: fields as LogLine["fields"], message }),
    warn: (fields: Record<string, unknown>, message: string) => lines.push({ level: "warn", fields: fields as LogLine["fields"], message }),
  };
  const client = createZendeskClient({
    baseUrl: zendesk.url,
    clientId: zendesk.clientId,
    clientSecret: zendesk.clientSecret,
    timeoutMs: 2000,
    maxRetries: 2,
    maxRetryWaitMs: 3000,
    logger,
    ...options,
    fetch: rewrite ? rewriting(recorder.fetch, rewrite) : recorder.fetch,
  });
  return { client, exchanges: recorder.exchanges, lines };
}

async function failure(promise: Promise<unknown>): Promise<ZendeskError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ZendeskError);
  return err as ZendeskError;
}

const routes = () => zendesk.stats().byRoute;
const TICKET = "GET /api/v2/tickets/{id}";
const UPDATE = "PUT /api/v2/tickets/{id}";
const COMMENTS = "GET /api/v2/tickets/{id}/comments";

function rewriting(inner: typeof fetch, rewrite: Rewrite): typeof fetch {
  return async (input, init) => {
    const answer = await inner(input, init);
    return (await rewrite(init?.method ?? "GET", new URL(String(input)), answer)) ?? answer;
  };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("getTicket", () => {
  it("reads the ticket with its requester and organization in one request", async () => {
    const { client } = connect();
    expect(await client.getTicket("4242")).toEqual({
      id: 4242,
      subject: "Enable the erase-job scopes for the Recipients' Data Erasure API",
      status: "open",
      requester: { id: 36_000_000_101, name: "Olivia Ops", email: "ops@acme-legacy.example" },
      organization: { id: 35_000_000_001, name: "Acme Legacy Ltd" },
      url: `${zendesk.url}/agent/tickets/4242`,
    });
    expect(routes()).toEqual({ "POST /oauth/tokens": 1, [TICKET]: 1 });
  });

  it("gives organization null for a requester without one", async () => {
    const { client } = connect();
    expect(await client.getTicket(4253)).toMatchObject({ requester: { email: "nina@unknown-customer.example" }, organization: null });
  });

  it("reports a missing ticket as not_found, without retrying", async () => {
    const { client } = connect();
    const err = await failure(client.getTicket(999_999));
    expect(err).toMatchObject({ kind: "not_found", status: 404, operation: "getTicket", ambiguous: false, transient: false });
    expect(routes()[TICKET]).toBe(1);
  });

  it("refuses what is not a ticket id before sending anything", async () => {
    const { client, exchanges } = connect();
    for (const bad of ["abc", "#4242", "0", "-1", "1.5", "1234567890123456"])
      await expect(client.getTicket(bad)).rejects.toThrow(TypeError);
    await expect(client.getTicket(0)).rejects.toThrow(TypeError);
    expect(exchanges).toEqual([]);
  });
});

describe("addComment", () => {
  it("adds an internal note with public: false and returns the new comment's id and time", async () => {
    const { client, exchanges } = connect();
    const added = await client.addComment(4242, { body: "Scopes BEFORE reset\nreset 0b8f", public: false });
    const stored = zendesk.comments(4242).at(-1)!;
    expect(added).toEqual({ commentId: stored.id, createdAt: stored.createdAt });
    expect(stored).toMatchObject({ body: "Scopes BEFORE reset\nreset 0b8f", public: false });
    expect(JSON.parse(exchanges.at(-1)!.request.body!)).toEqual({
      ticket: { comment: { body: "Scopes BEFORE reset\nreset 0b8f", public: false } },
    });
  });

  it("adds a public reply with public: true", async () => {
    const { client } = connect();
    await client.addComment("4253", { body: "Hello Nina", public: true });
    expect(zendesk.comments(4253).at(-1)).toMatchObject({ body: "Hello Nina", public: true });
  });

  it("reports the 5,001st comment as rejected (422), not ambiguous", async () => {
    for (let n = zendesk.comments(4251).length; n < 5000; n++) zendesk.addComment(4251, { body: `filler ${n}`, public: false });
    const { client } = connect();
    const err = await failure(client.addComment(4251, { body: "one too many", public: false }));
    expect(err).toMatchObject({ kind: "rejected", status: 422, ambiguous: false });
  });

  it("finds the new comment by its audit when the answer's Comment event has no id", async () => {
    const { client } = connect({}, async (method, _url, answer) => {
      if (method !== "PUT") return undefined;
      const body = (await answer.clone().json()) as { audit: { events: Record<string, unknown>[] } };
      for (const event of body.audit.events) delete event.id;
      return json(body);
    });
    const added = await client.addComment(4249, { body: "note", public: false });
    expect(added.commentId).toBe(zendesk.comments(4249).at(-1)!.id);
    expect(routes()[COMMENTS]).toBe(1);
  });

  it("refuses an empty body before sending anything", async () => {
    const { client, exchanges } = connect();
    await expect(client.addComment(4242, { body: " \n", public: false })).rejects.toThrow(TypeError);
    expect(exchanges).toEqual([]);
  });
});

describe("listComments and findCommentContaining", () => {
  beforeEach(() => {
    for (let n = 1; n <= 250; n++)
      zendesk.addComment(4252, { body: `comment ${n}${n === 50 ? " [reset r-50]" : ""}`, public: n % 3 === 0 });
  });

  it("reads every page, oldest first", async () => {
    const { client } = connect();
    const comments = await client.listComments(4252);
    expect(comments.map((c) => c.id)).toEqual(zendesk.comments(4252).map((c) => c.id));
    expect(comments).toHaveLength(251);
    expect(comments[3]).toEqual({
      id: zendesk.comments(4252)[3]!.id,
      body: "comment 3",
      public: true,
      authorId: 36_000_000_001,
      createdAt: expect.any(String),
    });
    expect(routes()[COMMENTS]).toBe(3);
  });

  it("finds the comment carrying a marker and stops reading there", async () => {
    const { client } = connect();
    expect(await client.findCommentContaining(4252, "[reset r-50]")).toMatchObject({ body: "comment 50 [reset r-50]" });
    expect(routes()[COMMENTS]).toBe(1);
    expect(await client.findCommentContaining(4252, "[reset r-999]")).toBeNull();
    expect(routes()[COMMENTS]).toBe(4);
    await expect(client.findCommentContaining(4252, " ")).rejects.toThrow(TypeError);
  });

  it("reports pages that claim more without a new cursor as invalid_response", async () => {
    const { client } = connect({}, async (_method, url, answer) => {
      if (!url.pathname.endsWith("/comments")) return undefined;
      const body = (await answer.clone().json()) as { meta: Record<string, unknown> };
      return json({ ...body, meta: { ...body.meta, has_more: true, after_cursor: null } });
    });
    expect(await failure(client.listComments(4252))).toMatchObject({ kind: "invalid_response", operation: "listComments" });
  });
});

describe("searchUsers", () => {
  it("finds users with Zendesk's search syntax", async () => {
    const { client } = connect();
    expect(await client.searchUsers("email:marketing@acme-legacy.example")).toEqual([
      {
        id: 36_000_000_102,
        name: "Marco Marketing",
        email: "marketing@acme-legacy.example",
        role: "end-user",
        organizationId: 35_000_000_001,
      },
    ]);
    expect(await client.searchUsers("nobody-like-this")).toEqual([]);
    await expect(client.searchUsers("  ")).rejects.toThrow(TypeError);
  });
});

describe("the access token", () => {
  it("is requested once and reused", async () => {
    const { client } = connect();
    await client.getTicket(4242);
    await client.listComments(4242);
    await client.searchUsers("olivia");
    expect(zendesk.stats().tokensIssued).toBe(1);
  });

  it("is requested once for concurrent first calls", async () => {
    const { client } = connect();
    await Promise.all([4242, 4243, 4244, 4245, 4246].map((id) => client.getTicket(id)));
    expect(zendesk.stats().tokensIssued).toBe(1);
  });

  it("is renewed a minute before it expires", async () => {
    let now = Date.parse("2026-12-01T12:00:00Z");
    const { client } = connect({ now: () => now });
    await client.getTicket(4242);
    now += 3600_000 - 61_000;
    await client.getTicket(4242);
    expect(zendesk.stats().tokensIssued).toBe(1);
    now += 2_000;
    await client.getTicket(4242);
    expect(zendesk.stats().tokensIssued).toBe(2);
  });

  it("is renewed once when the API refuses it, and the call goes through", async () => {
    const { client } = connect();
    await client.getTicket(4242);
    zendesk.revokeTokens();
    expect(await client.getTicket(4243)).toMatchObject({ id: 4243 });
    expect(zendesk.stats().tokensIssued).toBe(2);
    expect(routes()[TICKET]).toBe(3);
  });

  it("fails as unauthorized when the renewed token is refused too", async () => {
    zendesk.injectFault({ status: 401, paths: "/api/", times: 2 });
    const { client } = connect();
    expect(await failure(client.getTicket(4242))).toMatchObject({ kind: "unauthorized", status: 401, operation: "getTicket" });
    expect(zendesk.stats().tokensIssued).toBe(2);
  });

  it("fails as unauthorized, from the token request, with a wrong client secret", async () => {
    const { client } = connect({ clientSecret: "wrong" });
    expect(await failure(client.getTicket(4242))).toMatchObject({ kind: "unauthorized", status: 401, operation: "token" });
    expect(routes()).toEqual({ "POST /oauth/tokens": 1 });
  });
});

describe("rate limits and unavailability", () => {
  it("waits as long as Retry-After says on a 429, then succeeds", async () => {
    zendesk.injectFault({ status: 429, retryAfter: 1, paths: "/api/v2/tickets/4242" });
    const { client, lines } = connect();
    const started = performance.now();
    await client.getTicket(4242);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(routes()[TICKET]).toBe(2);
    expect(lines.find((l) => l.level === "warn")?.fields.zendesk).toMatchObject({
      status: 429,
      error: "rate_limited",
      retryInMs: 1000,
      attempt: 1,
    });
  });

  it("fails at once, with retryAfterSeconds, when Retry-After is beyond the wait budget", async () => {
    zendesk.injectFault({ status: 429, retryAfter: 30 });
    const { client } = connect({ maxRetryWaitMs: 3000 });
    const started = performance.now();
    const err = await failure(client.addComment(4242, { body: "note", public: false }));
    expect(err).toMatchObject({ kind: "rate_limited", retryAfterSeconds: 30, ambiguous: false, transient: true });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("stops after maxRetries", async () => {
    zendesk.injectFault({ status: 429, retryAfter: 0, paths: "/api/", times: 10 });
    const { client } = connect({ maxRetries: 2 });
    expect(await failure(client.getTicket(4242))).toMatchObject({ kind: "rate_limited" });
    expect(routes()[TICKET]).toBe(3);
  });

  it("retries a 503 on a read, and on a write when Retry-After says Zendesk did not act on it", async () => {
    zendesk.injectFault({ status: 503, paths: "/api/v2/tickets/4242", method: "GET" });
    zendesk.injectFault({ status: 503, retryAfter: 1, method: "PUT" });
    const { client } = connect();
    await client.getTicket(4242);
    await client.addComment(4242, { body: "after the 503", public: false });
    expect(routes()).toMatchObject({ [TICKET]: 2, [UPDATE]: 2 });
    expect(zendesk.comments(4242).filter((c) => c.body === "after the 503")).toHaveLength(1);
  });

  it("retries a 500 on a read", async () => {
    zendesk.injectFault({ status: 500, paths: "comments" });
    const { client } = connect();
    expect(await client.listComments(4242)).toHaveLength(2);
    expect(routes()[COMMENTS]).toBe(2);
  });
});

describe("a write that may have been applied", () => {
  it("reports a 500 on a write as ambiguous and does not repeat it; the marker then shows it was applied", async () => {
    zendesk.injectFault({ status: 500, method: "PUT", apply: true });
    const { client } = connect();
    const err = await failure(client.addComment(4243, { body: "Scopes AFTER reset [reset r-1]", public: false }));
    expect(err).toMatchObject({ kind: "server", status: 500, ambiguous: true, transient: true });
    expect(routes()[UPDATE]).toBe(1);
    // What a delivery job does next: look for the marker before posting again.
    expect(await client.findCommentContaining(4243, "[reset r-1]")).toMatchObject({
      body: "Scopes AFTER reset [reset r-1]",
      public: false,
    });
  });

  it("reports a write that times out as ambiguous, sent once", async () => {
    zendesk.injectFault({ hang: true, method: "PUT", apply: true });
    const { client } = connect({ timeoutMs: 300 });
    const err = await failure(client.addComment(4244, { body: "[reset r-2]", public: false }));
    expect(err).toMatchObject({ kind: "timeout", ambiguous: true });
    expect(routes()[UPDATE]).toBe(1);
    expect(zendesk.comments(4244).at(-1)).toMatchObject({ body: "[reset r-2]" });
  });

  it("reports an unreadable 2xx to a write as ambiguous invalid_response", async () => {
    const { client } = connect({}, async (method) => (method === "PUT" ? new Response("<html>oops</html>", { status: 200 }) : undefined));
    expect(await failure(client.addComment(4245, { body: "note", public: false }))).toMatchObject({
      kind: "invalid_response",
      ambiguous: true,
    });
  });
});

describe("timeouts, connections and malformed answers", () => {
  it("times out a read that hangs, retrying it within maxRetries", async () => {
    zendesk.injectFault({ hang: true, paths: "/api/v2/tickets/4242", times: 2 });
    const { client } = connect({ timeoutMs: 300, maxRetries: 1 });
    const started = performance.now();
    expect(await failure(client.getTicket(4242))).toMatchObject({ kind: "timeout", ambiguous: false, transient: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(600);
    expect(routes()[TICKET]).toBe(2);
  });

  it("answers a slow read that is within the timeout", async () => {
    zendesk.injectFault({ delayMs: 200, paths: "/api/v2/tickets/4242" });
    const { client } = connect({ timeoutMs: 1000 });
    expect(await client.getTicket(4242)).toMatchObject({ id: 4242 });
  });

  it("reports a refused connection as network, not ambiguous (nothing was sent)", async () => {
    const port = await closedPort();
    const client = createZendeskClient({ baseUrl: `http://127.0.0.1:${port}`, clientId: "a", clientSecret: "b", maxRetries: 1 });
    expect(await failure(client.getTicket(4242))).toMatchObject({ kind: "network", operation: "token", ambiguous: false, transient: true });
  });

  it("reports answers without the fields used as invalid_response", async () => {
    const cases: [string, unknown][] = [
      [
        "a status Zendesk does not have",
        { ticket: { id: 4242, subject: "x", status: "weird", requester_id: 1 }, users: [{ id: 1, name: "A" }] },
      ],
      ["no sideloaded requester", { ticket: { id: 4242, subject: "x", status: "open", requester_id: 1 } }],
      [
        "no sideloaded organization",
        { ticket: { id: 4242, subject: "x", status: "open", requester_id: 1, organization_id: 2 }, users: [{ id: 1, name: "A" }] },
      ],
      ["another ticket", { ticket: { id: 4243, subject: "x", status: "open", requester_id: 1 }, users: [{ id: 1, name: "A" }] }],
    ];
    for (const [what, body] of cases) {
      const { client } = connect({}, async (_m, url) => (url.pathname.startsWith("/api/") ? json(body) : undefined));
      expect(await failure(client.getTicket(4242)), what).toMatchObject({ kind: "invalid_response", ambiguous: false });
    }
  });
});

describe("logging", () => {
  it("logs method, path, status, duration and retries, never a secret, a token or a search term", async () => {
    zendesk.injectFault({ status: 429, retryAfter: 0, paths: "search" });
    const { client, lines, exchanges } = connect();
    await client.searchUsers("email:ops@acme-legacy.example");
    await client.addComment(4242, { body: "private note text", public: false });
    await failure(client.getTicket(999_999));

    expect(lines.map((l) => [l.level, l.fields.zendesk.method, l.fields.zendesk.path, l.fields.zendesk.status])).toEqual([
      ["info", "POST", "/oauth/tokens", 201],
      ["warn", "GET", "/api/v2/users/search", 429],
      ["info", "GET", "/api/v2/users/search", 200],
      ["info", "PUT", "/api/v2/tickets/4242", 200],
      ["warn", "GET", "/api/v2/tickets/999999", 404],
    ]);
    for (const line of lines) expect(line.fields.zendesk).toMatchObject({ durationMs: expect.any(Number), attempt: expect.any(Number) });
    const logged = JSON.stringify(lines);
    const tokens = exchanges.map((e) => e.request.headers.get("authorization")?.replace(/^Bearer /, "")).filter((t): t is string => !!t);
    expect(tokens.length).toBeGreaterThan(0);
    for (const secret of [zendesk.clientSecret, ...tokens, "ops@acme-legacy.example", "private note text"])
      expect(logged).not.toContain(secret);
  });

  it("puts no secret or token in an error either", async () => {
    const { client } = connect({ clientSecret: "wrong-secret-value" });
    const err = await failure(client.getTicket(4242));
    expect(`${err.message} ${String(err.cause ?? "")} ${JSON.stringify(err)}`).not.toContain("wrong-secret-value");
  });
});

/** A port nothing listens on: bound, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
