import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDevZendesk, type DevZendesk } from "@/scripts/dev-zendesk/server";
import { expectExchangesMatchContract, recordingFetch, type Exchange } from "@/tests/support/zendesk-contract";
import { COMMENT_MAX_BYTES, createZendeskClient, type ZendeskClientOptions } from "./zendesk-client";
import { ZendeskError } from "./zendesk-errors";

// Every test gets its own development Zendesk, so counts and comments start from the seed.
let zendesk: DevZendesk;
let recorded: Exchange[][] = [];
/** Moves the development Zendesk's clock (comment times) ahead of ours. */
let zendeskClockAheadMs = 0;

beforeEach(async () => {
  zendeskClockAheadMs = 0;
  zendesk = await startDevZendesk({ port: 0, log: () => {}, now: () => Date.now() + zendeskClockAheadMs });
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
      assigneeId: null,
      assignee: null,
      organization: { id: 35_000_000_001, name: "Acme Legacy Ltd" },
      tags: [],
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      url: `${zendesk.url}/agent/tickets/4242`,
    });
    expect(routes()).toEqual({ "POST /oauth/tokens": 1, [TICKET]: 1 });
  });

  it("reads the assignee from the users the same answer sideloads (no second request)", async () => {
    const assigned = await fetch(`${zendesk.url}/__dev/tickets/4242/assignee`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "lead@scopedesk.test", name: "Lee Lead" }),
    });
    expect(assigned.status).toBe(200);
    const { client } = connect();
    const ticket = await client.getTicket(4242);
    expect(ticket.assignee).toMatchObject({ name: "Lee Lead", email: "lead@scopedesk.test" });
    expect(ticket.assigneeId).toBe(ticket.assignee!.id);
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
  it("adds an internal note with public: false and its marker as the update's custom metadata, not in the text", async () => {
    const { client, exchanges } = connect();
    const added = await client.addComment(4242, { body: "Scopes BEFORE reset", public: false, marker: "scopedesk:r-0b8f:note-1" });
    const stored = zendesk.comments(4242).at(-1)!;
    expect(added).toEqual({ commentId: stored.id, createdAt: stored.createdAt, auditId: stored.auditId });
    expect(stored).toMatchObject({ body: "Scopes BEFORE reset", public: false, custom: { scopedesk_marker: "scopedesk:r-0b8f:note-1" } });
    expect(JSON.parse(exchanges.at(-1)!.request.body!)).toEqual({
      ticket: { comment: { body: "Scopes BEFORE reset", public: false }, metadata: { scopedesk_marker: "scopedesk:r-0b8f:note-1" } },
    });
    const listed = await client.listComments(4242);
    expect(listed.at(-1)).toMatchObject({ id: stored.id, marker: "scopedesk:r-0b8f:note-1", auditId: stored.auditId });
  });

  it("sends html_body, the author and the status with the comment when asked", async () => {
    const { client, exchanges } = connect();
    const agent = await client.findAgentByEmail("agent@scopedesk.test");
    await client.addComment(4245, {
      htmlBody: "<p>Hello <b>Theo</b></p>",
      public: true,
      marker: "m-html",
      authorId: agent!.id,
      status: "solved",
    });
    expect(JSON.parse(exchanges.at(-1)!.request.body!)).toEqual({
      ticket: {
        comment: { html_body: "<p>Hello <b>Theo</b></p>", public: true, author_id: agent!.id },
        status: "solved",
        metadata: { scopedesk_marker: "m-html" },
      },
    });
    expect(zendesk.comments(4245).at(-1)).toMatchObject({ authorId: agent!.id, public: true, plainBody: "Hello Theo" });
    expect(await client.getTicket(4245)).toMatchObject({ status: "solved" });
  });

  it("still adds a comment without a marker (the earlier interface)", async () => {
    const { client } = connect();
    await client.addComment(4243, { body: "legacy note", public: false });
    expect(zendesk.comments(4243).at(-1)).toMatchObject({ body: "legacy note", custom: {} });
  });

  it("reports a closed ticket as rejected with reason ticket_closed and Zendesk's details, permanent", async () => {
    zendesk.setTicketStatus(4248, "closed");
    const { client } = connect();
    const err = await failure(client.addComment(4248, { body: "too late", public: false, marker: "m-closed" }));
    expect(err).toMatchObject({ kind: "rejected", status: 422, reason: "ticket_closed", ambiguous: false, transient: false });
    expect(err.details).toEqual({ status: [{ description: "Status: closed prevents ticket update" }] });
    expect(err.message).toContain("closed prevents ticket update");
  });

  it("reports an author who is not an agent as author_invalid", async () => {
    const { client } = connect();
    const requester = (await client.getTicket(4242)).requester.id;
    const err = await failure(client.addComment(4242, { body: "as the customer", public: true, marker: "m-author", authorId: requester }));
    expect(err).toMatchObject({ kind: "rejected", status: 422, reason: "author_invalid", transient: false });
  });

  it("refuses a comment over Zendesk's size limit before sending it, as comment_too_large", async () => {
    const { client, exchanges } = connect();
    const err = await failure(client.addComment(4242, { body: "é".repeat(COMMENT_MAX_BYTES / 2 + 1), public: false, marker: "m-big" }));
    expect(err).toMatchObject({ kind: "rejected", reason: "comment_too_large", transient: false, ambiguous: false });
    expect(exchanges).toEqual([]);
    // At the limit it goes through, and the development Zendesk keeps it.
    await client.addComment(4242, { body: "x".repeat(COMMENT_MAX_BYTES), public: false, marker: "m-at-limit" });
    expect(zendesk.comments(4242).at(-1)!.body).toHaveLength(COMMENT_MAX_BYTES);
  });

  it("refuses what can never be right before sending anything", async () => {
    const { client, exchanges } = connect();
    const bad: unknown[] = [
      { body: " \n", public: false, marker: "m" },
      { body: "a", htmlBody: "<p>a</p>", public: false, marker: "m" },
      { public: false, marker: "m" },
      { body: "a", public: false, marker: " " },
      { body: "a", public: false, marker: "two\nlines" },
      { body: "a", public: false, marker: "m", authorId: -1 },
      { body: "a", public: false, marker: "m", status: "closed" },
      { body: "a", marker: "m" },
    ];
    for (const comment of bad) await expect(client.addComment(4242, comment as never), JSON.stringify(comment)).rejects.toThrow(TypeError);
    expect(exchanges).toEqual([]);
  });

  it("reports the 5,001st comment as rejected (422), not ambiguous", async () => {
    for (let n = zendesk.comments(4251).length; n < 5000; n++) zendesk.addComment(4251, { body: `filler ${n}`, public: false });
    const { client } = connect();
    const err = await failure(client.addComment(4251, { body: "one too many", public: false, marker: "m-full" }));
    expect(err).toMatchObject({ kind: "rejected", status: 422, ambiguous: false, reason: "comment_limit", transient: false });
  });

  it("finds the new comment by its audit when the answer's Comment event has no id", async () => {
    const { client } = connect({}, async (method, _url, answer) => {
      if (method !== "PUT") return undefined;
      const body = (await answer.clone().json()) as { audit: { events: Record<string, unknown>[] } };
      for (const event of body.audit.events) delete event.id;
      return json(body);
    });
    const added = await client.addComment(4249, { body: "note", public: false, marker: "m-no-event-id" });
    expect(added).toMatchObject({ commentId: zendesk.comments(4249).at(-1)!.id, auditId: zendesk.comments(4249).at(-1)!.auditId });
    expect(routes()[COMMENTS]).toBe(1);
  });
});

describe("listComments, findComment and findCommentContaining", () => {
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
      auditId: zendesk.comments(4252)[3]!.auditId,
      marker: null,
    });
    expect(routes()[COMMENTS]).toBe(3);
  });

  it("finds the comment carrying a marker in its text (earlier versions) and stops reading there", async () => {
    const { client } = connect();
    expect(await client.findCommentContaining(4252, "[reset r-50]")).toMatchObject({ body: "comment 50 [reset r-50]" });
    expect(routes()[COMMENTS]).toBe(1);
    expect(await client.findComment(4252, { marker: "[reset r-999]" })).toBeNull();
    expect(routes()[COMMENTS]).toBe(4);
    await expect(client.findCommentContaining(4252, " ")).rejects.toThrow(TypeError);
    await expect(client.findComment(4252, { marker: "m", body: " " })).rejects.toThrow(TypeError);
  });

  it("finds the oldest comment whose custom metadata carries the marker, which its text does not show", async () => {
    const { client } = connect();
    zendesk.addComment(4252, { body: "the note", public: false, marker: "m-meta" });
    zendesk.addComment(4252, { body: "the note again", public: false, marker: "m-meta" });
    const found = await client.findComment(4252, { marker: "m-meta" });
    expect(found).toMatchObject({ id: zendesk.comments(4252).at(-2)!.id, body: "the note", marker: "m-meta" });
    expect(found!.body).not.toContain("m-meta");
  });

  it("finds a comment whose text equals the body given, when its metadata is missing", async () => {
    const { client } = connect();
    zendesk.addComment(4252, { body: "Scopes after\nline two\n", public: false });
    expect(await client.findComment(4252, { marker: "m-absent", body: "\r\nScopes after\r\nline two" })).toMatchObject({
      id: zendesk.comments(4252).at(-1)!.id,
    });
    expect(await client.findComment(4252, { marker: "m-absent", body: "Scopes after" })).toBeNull();
  });

  it("with since, reads newest first and stops before it, still returning the oldest match after it", async () => {
    const { client, exchanges } = connect();
    // The 251 comments are an hour older than the two tries (and than since, by more than its margin).
    zendeskClockAheadMs = 3_600_000;
    const since = new Date(Date.now() + zendeskClockAheadMs - 1000);
    zendesk.addComment(4252, { body: "first try", public: false, marker: "m-since" });
    zendesk.addComment(4252, { body: "second try", public: false, marker: "m-since" });
    zendesk.resetStats();
    expect(await client.findComment(4252, { marker: "m-since", since })).toMatchObject({ body: "first try" });
    expect(routes()[COMMENTS]).toBe(1);
    expect(new URL(exchanges.at(-1)!.request.url).searchParams.get("sort")).toBe("-created_at");
    // Comments long before it are not read; the marker of an old comment is then not found.
    expect(await client.findComment(4252, { marker: "[reset r-50]", since })).toBeNull();
    expect(routes()[COMMENTS]).toBe(2);
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

describe("findAgentByEmail", () => {
  it("finds an agent by e-mail whatever its case, and nobody for a customer or an unknown address", async () => {
    const { client, exchanges } = connect();
    expect(await client.findAgentByEmail("Agent@Scopedesk.TEST")).toMatchObject({ name: "Alex Agent", role: "agent" });
    expect(new URL(exchanges.at(-1)!.request.url).searchParams.get("query")).toBe("email:Agent@Scopedesk.TEST");
    expect(await client.findAgentByEmail("ops@acme-legacy.example")).toBeNull();
    expect(await client.findAgentByEmail("nobody@scopedesk.test")).toBeNull();
    await expect(client.findAgentByEmail("not an address")).rejects.toThrow(TypeError);
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

  it("is renewed after a 401 when Zendesk ends it earlier than expires_in said, and the call goes through", async () => {
    zendesk.setTokenLifetime({ lifetimeSeconds: 1, announced: false });
    const { client } = connect();
    await client.getTicket(4242);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await client.getTicket(4243)).toMatchObject({ id: 4243 });
    expect(zendesk.stats().tokensIssued).toBe(2);
    expect(routes()[TICKET]).toBe(3);
  });

  it("is renewed before it expires when Zendesk gives a shorter life than asked, never meeting a 401", async () => {
    let now = Date.parse("2026-12-01T12:00:00Z");
    zendesk.setTokenLifetime({ lifetimeSeconds: 400 });
    const { client, exchanges } = connect({ now: () => now });
    await client.getTicket(4242);
    expect(exchanges[0]!.answer!.body).toMatchObject({ expires_in: 400 });
    now += 341_000;
    await client.getTicket(4242);
    expect(zendesk.stats().tokensIssued).toBe(2);
    expect(exchanges.filter((e) => e.answer?.status === 401)).toEqual([]);
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
    const err = await failure(client.addComment(4242, { body: "note", public: false, marker: "m-429" }));
    expect(err).toMatchObject({
      kind: "rate_limited",
      reason: "rate_limited_account",
      retryAfterSeconds: 30,
      ambiguous: false,
      transient: true,
    });
    expect(zendesk.comments(4242).filter((c) => c.body === "note")).toHaveLength(0);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("stops after maxRetries", async () => {
    zendesk.injectFault({ status: 429, retryAfter: 0, paths: "/api/", times: 10 });
    const { client } = connect({ maxRetries: 2 });
    expect(await failure(client.getTicket(4242))).toMatchObject({ kind: "rate_limited" });
    expect(routes()[TICKET]).toBe(3);
  });

  it("retries a 503 on a read, but hands a 429 on a write back to the caller, who searches before posting again", async () => {
    zendesk.injectFault({ status: 503, paths: "/api/v2/tickets/4242", method: "GET" });
    zendesk.injectFault({ status: 429, retryAfter: 1, method: "PUT", apply: true });
    const { client } = connect();
    await client.getTicket(4242);
    const err = await failure(client.addComment(4242, { body: "after the 429", public: false, marker: "m-after-429" }));
    expect(err).toMatchObject({ kind: "rate_limited", status: 429, retryAfterSeconds: 1 });
    expect(routes()).toMatchObject({ [TICKET]: 2, [UPDATE]: 1 });
    expect(zendesk.comments(4242).filter((c) => c.body === "after the 429")).toHaveLength(1);
  });

  it("retries a 500 on a read", async () => {
    zendesk.injectFault({ status: 500, paths: "comments" });
    const { client } = connect();
    expect(await client.listComments(4242)).toHaveLength(2);
    expect(routes()[COMMENTS]).toBe(2);
  });
});

describe("Zendesk's rate limits, respected before sending", () => {
  it("reads the account's budget from every answer and, once it is used up, waits for the reset instead of being refused", async () => {
    zendesk.setLimits({ accountRequests: 3, accountWindowSeconds: 2 });
    const { client, lines, exchanges } = connect({ maxRetryWaitMs: 3000 });
    for (let n = 0; n < 3; n++) await client.getTicket(4242);
    expect(exchanges.at(-1)!.answer!.headers.get("x-rate-limit-remaining")).toBe("0");
    const started = performance.now();
    await client.getTicket(4242);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(zendesk.stats().rateLimited).toBe(0);
    expect(lines.find((l) => l.message === "zendesk getTicket waits for the rate limit")?.fields.zendesk).toMatchObject({
      rateLimitWaitMs: expect.any(Number),
    });
  });

  it("fails at once, unsent, as rate_limited_account with retryAfterSeconds when the reset is beyond the call's wait budget", async () => {
    zendesk.setLimits({ accountRequests: 2, accountWindowSeconds: 30 });
    const { client } = connect({ maxRetryWaitMs: 1000 });
    await client.getTicket(4242);
    await client.addComment(4242, { body: "fits", public: false, marker: "m-fits" });
    const sentBefore = zendesk.stats().requests;
    const started = performance.now();
    const err = await failure(client.addComment(4242, { body: "waits", public: false, marker: "m-waits" }));
    expect(err).toMatchObject({ kind: "rate_limited", reason: "rate_limited_account", ambiguous: false, transient: true });
    expect(err.retryAfterSeconds).toBeGreaterThan(20);
    expect(performance.now() - started).toBeLessThan(500);
    expect(zendesk.stats().requests).toBe(sentBefore);
  });

  it("counts its updates per ticket and refuses, unsent, the one that would pass the ticket's limit", async () => {
    zendesk.setLimits({ ticketUpdates: 3 });
    const { client } = connect({ ticketUpdateLimit: { updates: 3, windowMs: 60_000 } });
    for (let n = 1; n <= 3; n++) await client.addComment(4242, { body: `note ${n}`, public: false, marker: `m-t${n}` });
    const err = await failure(client.addComment(4242, { body: "note 4", public: false, marker: "m-t4" }));
    expect(err).toMatchObject({ kind: "rate_limited", reason: "rate_limited_ticket", ambiguous: false, transient: true });
    expect(err.retryAfterSeconds).toBeGreaterThan(50);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(routes()[UPDATE]).toBe(3);
    expect(zendesk.stats().rateLimited).toBe(0);
    // Other tickets are not held back.
    await client.addComment(4243, { body: "another ticket", public: false, marker: "m-other" });
    expect(routes()[UPDATE]).toBe(4);
  });

  it("waits in place when the ticket's window frees up within the call's budget", async () => {
    const { client } = connect({ ticketUpdateLimit: { updates: 2, windowMs: 1500 }, maxRetryWaitMs: 3000 });
    await client.addComment(4244, { body: "one", public: false, marker: "m-w1" });
    await client.addComment(4244, { body: "two", public: false, marker: "m-w2" });
    const started = performance.now();
    await client.addComment(4244, { body: "three", public: false, marker: "m-w3" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(
      zendesk
        .comments(4244)
        .slice(-3)
        .map((c) => c.body),
    ).toEqual(["one", "two", "three"]);
  });

  it("takes Zendesk's per-ticket 429 (another process updated the ticket) as rate_limited_ticket, and holds that ticket back", async () => {
    zendesk.setLimits({ ticketUpdates: 2, ticketWindowSeconds: 30 });
    const other = connect().client;
    await other.addComment(4245, { body: "other process 1", public: false, marker: "m-o1" });
    await other.addComment(4245, { body: "other process 2", public: false, marker: "m-o2" });
    const { client } = connect({ maxRetryWaitMs: 2000 });
    const err = await failure(client.addComment(4245, { body: "ours", public: false, marker: "m-ours" }));
    expect(err).toMatchObject({ kind: "rate_limited", status: 429, reason: "rate_limited_ticket", ambiguous: false });
    expect(err.retryAfterSeconds).toBeGreaterThan(20);
    const refusedByZendesk = zendesk.stats().rateLimited;
    expect(refusedByZendesk).toBe(1);
    // The next update of that ticket is not sent at all; another ticket's is.
    expect(await failure(client.addComment(4245, { body: "ours again", public: false, marker: "m-ours2" }))).toMatchObject({
      reason: "rate_limited_ticket",
      status: undefined,
    });
    expect(zendesk.stats().rateLimited).toBe(refusedByZendesk);
    await client.addComment(4246, { body: "elsewhere", public: false, marker: "m-else" });
    expect(zendesk.comments(4245).filter((c) => c.body.startsWith("ours"))).toHaveLength(0);
  });
});

describe("a 429 holds back what it says is used up", () => {
  it("only the operation, when the account has requests left (an endpoint's own limit)", async () => {
    zendesk.injectFault({ status: 429, retryAfter: 30, paths: "comments", method: "GET" });
    const { client } = connect({ maxRetryWaitMs: 1000 });
    const err = await failure(client.findComment(4242, { marker: "m-x" }));
    expect(err).toMatchObject({ kind: "rate_limited", status: 429, retryAfterSeconds: 30 });
    const sent = zendesk.stats().requests;
    expect(await failure(client.listComments(4242))).toMatchObject({ kind: "rate_limited", status: undefined });
    expect(zendesk.stats().requests).toBe(sent);
    expect(await client.getTicket(4242)).toMatchObject({ id: 4242 });
    await client.addComment(4242, { body: "still posts", public: false, marker: "m-still" });
  });

  it("every call, when the account has none left", async () => {
    zendesk.setLimits({ accountRequests: 1, accountWindowSeconds: 30 });
    const { client } = connect({ maxRetryWaitMs: 1000 });
    await client.getTicket(4242);
    expect(await failure(client.listComments(4242))).toMatchObject({ reason: "rate_limited_account", status: undefined });
    expect(await failure(client.searchUsers("olivia"))).toMatchObject({ reason: "rate_limited_account", status: undefined });
    expect(zendesk.stats().rateLimited).toBe(0);
  });
});

describe("a write that may have been applied", () => {
  it("reports a 500 on a write as ambiguous and does not repeat it; the marker then shows it was applied", async () => {
    zendesk.injectFault({ status: 500, method: "PUT", apply: true });
    const { client } = connect();
    const err = await failure(client.addComment(4243, { body: "Scopes AFTER reset", public: false, marker: "[reset r-1]" }));
    expect(err).toMatchObject({ kind: "server", status: 500, ambiguous: true, transient: true });
    expect(routes()[UPDATE]).toBe(1);
    // What a delivery job does next: look for the marker before posting again.
    expect(await client.findComment(4243, { marker: "[reset r-1]" })).toMatchObject({ body: "Scopes AFTER reset", public: false });
  });

  it("reports a 503 on a write as ambiguous even with Retry-After, and does not repeat it: it may have been applied", async () => {
    zendesk.injectFault({ status: 503, retryAfter: 1, method: "PUT", apply: true });
    const { client } = connect();
    const err = await failure(client.addComment(4243, { body: "applied before the 503", public: false, marker: "m-503" }));
    expect(err).toMatchObject({ kind: "unavailable", status: 503, ambiguous: true, transient: true, retryAfterSeconds: 1 });
    expect(routes()[UPDATE]).toBe(1);
    expect(zendesk.comments(4243).filter((c) => c.body === "applied before the 503")).toHaveLength(1);
  });

  it("reports a write that times out as ambiguous, sent once", async () => {
    zendesk.injectFault({ hang: true, method: "PUT", apply: true });
    const { client } = connect({ timeoutMs: 300 });
    const err = await failure(client.addComment(4244, { body: "[reset r-2]", public: false, marker: "m-hang" }));
    expect(err).toMatchObject({ kind: "timeout", ambiguous: true });
    expect(routes()[UPDATE]).toBe(1);
    expect(zendesk.comments(4244).at(-1)).toMatchObject({ body: "[reset r-2]" });
  });

  it("reports an unreadable 2xx to a write as ambiguous invalid_response", async () => {
    const { client } = connect({}, async (method) => (method === "PUT" ? new Response("<html>oops</html>", { status: 200 }) : undefined));
    expect(await failure(client.addComment(4245, { body: "note", public: false, marker: "m-unreadable" }))).toMatchObject({
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
    await client.addComment(4242, { body: "private note text", public: false, marker: "secret-marker-text" });
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
    for (const secret of [zendesk.clientSecret, ...tokens, "ops@acme-legacy.example", "private note text", "secret-marker-text"])
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

describe("getUser and getAppPublicKeyPem (the sidebar app's reads)", () => {
  // A development Zendesk with the Scopedesk app installed; neither read is among the operations the contract
  // check knows (Show User, the apps API): a plain client.
  let withApp: DevZendesk;
  beforeAll(async () => {
    withApp = await startDevZendesk({ port: 0, log: () => {}, app: { scopedeskUrl: "http://127.0.0.1:9" } });
  });
  afterAll(() => withApp.close());
  const plain = () =>
    createZendeskClient({
      baseUrl: withApp.url,
      clientId: withApp.clientId,
      clientSecret: withApp.clientSecret,
      timeoutMs: 2000,
      maxRetries: 1,
    });

  it("reads a user with whether it is active, and null for a user Zendesk does not have", async () => {
    const client = plain();
    expect(await client.getUser("36000000101")).toEqual({
      id: 36_000_000_101,
      name: "Olivia Ops",
      email: "ops@acme-legacy.example",
      role: "end-user",
      organizationId: null,
      active: true,
    });
    expect(await client.getUser(36_000_999_999)).toBeNull();
    await expect(client.getUser("12ab")).rejects.toThrow(TypeError);
  });

  it("reads the app's public key as PEM text, and fails with a ZendeskError for an app it does not know", async () => {
    const client = plain();
    expect(await client.getAppPublicKeyPem(1_000_001)).toMatch(/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/);
    const err = await failure(client.getAppPublicKeyPem(5));
    expect(err).toMatchObject({ kind: "not_found", operation: "getAppPublicKey", status: 404 });
  });
});
