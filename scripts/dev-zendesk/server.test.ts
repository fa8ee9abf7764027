import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CONTRACT_PATH, expectZendeskAnswer, expectZendeskRequest, OPERATIONS, type OperationId } from "@/tests/support/zendesk-contract";
import { fixtures } from "../lib/seed/generate";
import { INTEGRATION_USER, TICKET_SEEDS } from "./seed";
import { startDevZendesk, type DevZendesk } from "./server";
import { ZENDESK_LIMITS } from "./limits";
import { MAX_COMMENT_BYTES, MAX_COMMENTS_PER_TICKET } from "./store";

let zendesk: DevZendesk;
let token: string;
const logLines: string[] = [];

beforeAll(async () => {
  zendesk = await startDevZendesk({ port: 0, log: (line) => logLines.push(line) });
  token = await newToken();
});
afterAll(() => zendesk?.close());
beforeEach(() => {
  zendesk.clearFaults();
  zendesk.setLimits(ZENDESK_LIMITS);
});

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(path: string, init: RequestInit & { auth?: string | null } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  const auth = init.auth === undefined ? `Bearer ${token}` : init.auth;
  if (auth) headers.set("authorization", auth);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const res = await fetch(`${zendesk.url}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === "" ? undefined : JSON.parse(text) };
}

/** Calls and checks the answer against the official description. */
async function checked(operationId: OperationId, path: string, init: RequestInit & { auth?: string | null } = {}): Promise<Answer> {
  const answer = await call(path, init);
  await expectZendeskAnswer(operationId, answer);
  return answer;
}

const tokenBody = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    grant_type: "client_credentials",
    client_id: zendesk.clientId,
    client_secret: zendesk.clientSecret,
    scope: "read tickets:write",
    expires_in: 3600,
    ...overrides,
  });

async function newToken(overrides: Record<string, unknown> = {}): Promise<string> {
  const answer = await checked(OPERATIONS.token, "/oauth/tokens", { method: "POST", body: tokenBody(overrides), auth: null });
  expect(answer.status).toBe(201);
  return (answer.body as { access_token: string }).access_token;
}

const note = (body: string, isPublic?: boolean) =>
  JSON.stringify({ ticket: { comment: { body, ...(isPublic === undefined ? {} : { public: isPublic }) } } });

describe("seeded data", () => {
  it("has one ticket per fixture account, with stable ids, and one from nobody we know", () => {
    const emails = fixtures(new Date("2023-07-25T00:00:00Z")).map((f) => f.account.email);
    expect(TICKET_SEEDS.map((t) => t.id)).toEqual([4242, 4243, 4244, 4245, 4246, 4247, 4248, 4249, 4250, 4251, 4252, 4253, 4254, 4255]);
    expect(TICKET_SEEDS.filter((t) => typeof t.from === "string")).toHaveLength(emails.length);
  });

  it("serves #4242 from Olivia Ops of Acme Legacy Ltd, asking for the erase-job scopes", async () => {
    const { status, body } = await checked(OPERATIONS.showTicket, "/api/v2/tickets/4242?include=users,organizations");
    expect(status).toBe(200);
    const { ticket, users, organizations } = body as {
      ticket: Record<string, unknown>;
      users: Record<string, unknown>[];
      organizations: Record<string, unknown>[];
    };
    expect(ticket).toMatchObject({ id: 4242, status: "open" });
    expect(ticket.description).toContain("recipients.erasejob.create and recipients.erasejob.read");
    expect(users).toEqual([expect.objectContaining({ id: ticket.requester_id, name: "Olivia Ops", email: "ops@acme-legacy.example" })]);
    expect(organizations).toEqual([expect.objectContaining({ id: ticket.organization_id, name: "Acme Legacy Ltd" })]);
  });

  it("serves the subuser's ticket and one whose requester has no account and no organization", async () => {
    const sub = await checked(OPERATIONS.showTicket, "/api/v2/tickets/4243?include=users,organizations");
    expect(sub.body).toMatchObject({ users: [{ email: "marketing@acme-legacy.example" }], organizations: [{ name: "Acme Legacy Ltd" }] });
    const nobody = await checked(OPERATIONS.showTicket, "/api/v2/tickets/4253?include=users,organizations");
    expect(nobody.body).toMatchObject({
      ticket: { organization_id: null },
      users: [{ email: "nina@unknown-customer.example" }],
      organizations: [],
    });
  });

  it("keeps its copy of the description byte-identical to the shared one", () => {
    const shared = fileURLToPath(new URL("../../../shared/contracts/zendesk-support-oas.yaml", CONTRACT_PATH));
    if (!existsSync(shared)) return;
    expect(readFileSync(shared).equals(readFileSync(CONTRACT_PATH))).toBe(true);
  });
});

describe("the contract check itself", () => {
  const jsonHeaders = new Headers({ "content-type": "application/json" });

  it("rejects answers the description does not allow", async () => {
    await expect(
      expectZendeskAnswer(OPERATIONS.showTicket, { status: 200, headers: jsonHeaders, body: { ticket: { id: "4242" } } }),
    ).rejects.toThrow(/must be integer/);
    await expect(expectZendeskAnswer(OPERATIONS.showTicket, { status: 418, headers: jsonHeaders, body: {} })).rejects.toThrow(
      /not documented/,
    );
    await expect(
      expectZendeskAnswer(OPERATIONS.listComments, { status: 200, headers: jsonHeaders, body: { comments: [] } }),
    ).rejects.toThrow(/meta/);
    await expect(expectZendeskAnswer(OPERATIONS.showTicket, { status: 429, headers: jsonHeaders, body: { error: "x" } })).rejects.toThrow(
      /retry-after/i,
    );
  });

  it("rejects requests the description does not allow", async () => {
    const put = (body: unknown, path = "/api/v2/tickets/4242") => ({
      method: "PUT",
      url: `http://zendesk.test${path}`,
      headers: new Headers({ "content-type": "application/json", authorization: "Bearer t" }),
      body: JSON.stringify(body),
    });
    await expect(expectZendeskRequest(put({ ticket: { comment: { body: "x", public: "no" } } }))).rejects.toThrow(/must be boolean/);
    await expect(expectZendeskRequest(put({ ticket: { comment: { body: "x", public: false } } }, "/api/v2/tickets/abc"))).rejects.toThrow(
      /must be integer/,
    );
    await expect(expectZendeskRequest(put({}, "/api/v2/users/1"))).rejects.toThrow(/not a call Scopedesk makes/);
    const token = {
      method: "POST",
      url: "http://zendesk.test/oauth/tokens",
      headers: jsonHeaders,
      body: JSON.stringify({ grant_type: "client_credentials", expires_in: 60 }),
    };
    await expect(expectZendeskRequest(token)).rejects.toThrow(/expires_in/);
  });
});

describe("POST /oauth/tokens", () => {
  it("issues a token for the client credentials; without expires_in it has none", async () => {
    const { status, body } = await checked(OPERATIONS.token, "/oauth/tokens", {
      method: "POST",
      body: tokenBody({ expires_in: undefined }),
      auth: null,
    });
    expect(status).toBe(201);
    expect(body).toEqual({ access_token: expect.stringMatching(/^[0-9a-f]{64}$/), token_type: "bearer", scope: "read tickets:write" });
  });

  it("answers 401 invalid_client to a wrong secret or client, 400 to another grant or a bad body", async () => {
    const wrong = await checked(OPERATIONS.token, "/oauth/tokens", {
      method: "POST",
      body: tokenBody({ client_secret: "nope" }),
      auth: null,
    });
    expect(wrong).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    const unknown = await checked(OPERATIONS.token, "/oauth/tokens", {
      method: "POST",
      body: tokenBody({ client_id: "other" }),
      auth: null,
    });
    expect(unknown.status).toBe(401);
    const grant = await checked(OPERATIONS.token, "/oauth/tokens", {
      method: "POST",
      body: tokenBody({ grant_type: "password" }),
      auth: null,
    });
    expect(grant).toMatchObject({ status: 400, body: { error: "unsupported_grant_type" } });
    const form = await checked(OPERATIONS.token, "/oauth/tokens", { method: "POST", body: "grant_type=client_credentials", auth: null });
    expect(form).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    const scope = await checked(OPERATIONS.token, "/oauth/tokens", {
      method: "POST",
      body: tokenBody({ scope: "everything" }),
      auth: null,
    });
    expect(scope).toMatchObject({ status: 400, body: { error: "invalid_scope" } });
  });

  it("requires a live bearer token with the right scope on every API call", async () => {
    expect((await checked(OPERATIONS.showTicket, "/api/v2/tickets/4242", { auth: null })).status).toBe(401);
    expect((await checked(OPERATIONS.showTicket, "/api/v2/tickets/4242", { auth: `Bearer ${"0".repeat(64)}` })).status).toBe(401);
    expect((await checked(OPERATIONS.showTicket, "/api/v2/tickets/4242", { auth: `Basic ${btoa("a:b")}` })).status).toBe(401);
    const readOnly = await newToken({ scope: "read" });
    const put = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4242", {
      method: "PUT",
      body: note("x", false),
      auth: `Bearer ${readOnly}`,
    });
    expect(put).toMatchObject({ status: 403, body: { error: "Forbidden" } });
  });

  it("stops accepting every token once they are revoked", async () => {
    const own = await newToken();
    zendesk.revokeTokens();
    expect((await call("/api/v2/tickets/4242", { auth: `Bearer ${own}` })).status).toBe(401);
    token = await newToken();
  });
});

describe("tickets and comments", () => {
  it("answers 404 RecordNotFound for a ticket that does not exist", async () => {
    expect(await checked(OPERATIONS.showTicket, "/api/v2/tickets/999999")).toMatchObject({
      status: 404,
      body: { error: "RecordNotFound" },
    });
    expect((await checked(OPERATIONS.updateTicket, "/api/v2/tickets/999999", { method: "PUT", body: note("x", false) })).status).toBe(404);
    expect((await checked(OPERATIONS.listComments, "/api/v2/tickets/999999/comments")).status).toBe(404);
  });

  it("adds an internal note and answers with the audit whose Comment event is the new comment", async () => {
    const { status, body } = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4244", {
      method: "PUT",
      body: note("Scopes BEFORE reset [marker-1]", false),
    });
    expect(status).toBe(200);
    const { audit } = body as { audit: { id: number; created_at: string; events: { id: number; type: string }[] } };
    const stored = zendesk.comments(4244).at(-1)!;
    expect(stored).toMatchObject({
      body: "Scopes BEFORE reset [marker-1]",
      public: false,
      authorId: INTEGRATION_USER.id,
      auditId: audit.id,
    });
    expect(audit.events).toEqual([expect.objectContaining({ id: stored.id, type: "Comment" })]);
    expect(audit.created_at).toBe(stored.createdAt);
  });

  it("makes a comment without `public` what the ticket's first comment was, as Zendesk does", async () => {
    await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4245", { method: "PUT", body: note("no flag") });
    expect(zendesk.comments(4245).at(-1)).toMatchObject({ body: "no flag", public: true });
  });

  it("refuses other updates, an empty body and the comment after the 5,000th", async () => {
    const status = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4246", {
      method: "PUT",
      body: JSON.stringify({ ticket: { status: "solved" } }),
    });
    expect(status.status).toBe(400);
    expect((await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4246", { method: "PUT", body: note("  ", false) })).status).toBe(422);
    for (let n = zendesk.comments(4246).length; n < MAX_COMMENTS_PER_TICKET; n++)
      zendesk.addComment(4246, { body: `filler ${n}`, public: false });
    const full = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4246", { method: "PUT", body: note("one too many", false) });
    expect(full).toMatchObject({ status: 422, body: { error: "RecordInvalid" } });
    expect(zendesk.comments(4246)).toHaveLength(MAX_COMMENTS_PER_TICKET);
  });

  it("pages comments by cursor, oldest first, until has_more is false", async () => {
    for (let n = 1; n <= 4; n++) zendesk.addComment(4247, { body: `paged ${n}`, public: n % 2 === 0 });
    const seen: number[] = [];
    let query = "page[size]=2";
    for (let page = 0; page < 10; page++) {
      const { body } = await checked(OPERATIONS.listComments, `/api/v2/tickets/4247/comments?${query}`);
      const { comments, meta, links } = body as {
        comments: { id: number }[];
        meta: { has_more: boolean; after_cursor: string };
        links: { next: string | null };
      };
      seen.push(...comments.map((c) => c.id));
      if (!meta.has_more) {
        expect(links.next).toBeNull();
        break;
      }
      expect(links.next).toContain(encodeURIComponent("page[after]"));
      query = `page[size]=2&page[after]=${meta.after_cursor}`;
    }
    expect(seen).toEqual(zendesk.comments(4247).map((c) => c.id));
    expect(seen).toHaveLength(5);
  });

  it("answers 400 to a cursor it did not give or a page size over 100", async () => {
    expect((await checked(OPERATIONS.listComments, "/api/v2/tickets/4247/comments?page[after]=bogus")).status).toBe(400);
    expect((await checked(OPERATIONS.listComments, "/api/v2/tickets/4247/comments?page[size]=101")).status).toBe(400);
  });
});

describe("updates as strict as Zendesk", () => {
  const update = (ticket: Record<string, unknown>) => JSON.stringify({ ticket });

  it("keeps the update's custom metadata on the audit and shows it as the comment's metadata.custom", async () => {
    const { status, body } = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4249", {
      method: "PUT",
      body: update({ comment: { body: "with a marker", public: false }, metadata: { scopedesk_marker: "m-1" } }),
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ audit: { metadata: { custom: { scopedesk_marker: "m-1" } } } });
    const listed = await checked(OPERATIONS.listComments, "/api/v2/tickets/4249/comments?page[size]=100");
    expect((listed.body as { comments: unknown[] }).comments.at(-1)).toMatchObject({
      body: "with a marker",
      metadata: { custom: { scopedesk_marker: "m-1" } },
    });
  });

  it("sets the tags with the comment as a safe update, and answers 409 when the ticket changed since updated_stamp", async () => {
    const opened = await call("/__dev/tickets", {
      method: "POST",
      body: JSON.stringify({ requesterEmail: "tags@customer.example", tags: ["vip"] }),
      headers: { "content-type": "application/json" },
    });
    const id = (opened.body as { id: number }).id;
    const shown = (await checked(OPERATIONS.showTicket, `/api/v2/tickets/${id}`)).body as {
      ticket: { tags: string[]; updated_at: string };
    };
    expect(shown.ticket.tags).toEqual(["vip"]);
    const stale = new Date(Date.parse(shown.ticket.updated_at) - 60_000).toISOString();
    const conflict = await checked(OPERATIONS.updateTicket, `/api/v2/tickets/${id}`, {
      method: "PUT",
      body: update({ comment: { body: "late", public: false }, tags: ["vip", "x"], safe_update: true, updated_stamp: stale }),
    });
    expect(conflict).toMatchObject({ status: 409, body: { error: "UpdateConflict" } });
    const ok = await checked(OPERATIONS.updateTicket, `/api/v2/tickets/${id}`, {
      method: "PUT",
      body: update({
        comment: { body: "tagged", public: false },
        tags: ["vip", "scopedesk-ready"],
        safe_update: true,
        updated_stamp: shown.ticket.updated_at,
      }),
    });
    expect(ok.status).toBe(200);
    const after = (await checked(OPERATIONS.showTicket, `/api/v2/tickets/${id}`)).body as { ticket: { tags: string[] } };
    expect(after.ticket.tags).toEqual(["vip", "scopedesk-ready"]);
    const comments = (await checked(OPERATIONS.listComments, `/api/v2/tickets/${id}/comments?page[size]=100`)).body as {
      comments: { body: string }[];
    };
    expect(comments.comments.map((c) => c.body)).not.toContain("late");
    const page = await fetch(`${zendesk.url}/agent/tickets/${id}`);
    expect(await page.text()).toContain("<dd data-tags>vip scopedesk-ready</dd>");
  });

  it("sets the status asked for with the comment, as a Change event of the same audit", async () => {
    const { body } = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4251", {
      method: "PUT",
      body: update({ comment: { body: "We reset your scopes.", public: true }, status: "pending" }),
    });
    expect((body as { audit: { events: unknown[] } }).audit.events).toEqual([
      expect.objectContaining({ type: "Comment" }),
      expect.objectContaining({ type: "Change", field_name: "status", value: "pending", previous_value: "open" }),
    ]);
    expect((await checked(OPERATIONS.showTicket, "/api/v2/tickets/4251")).body).toMatchObject({ ticket: { status: "pending" } });
    const refused = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4251", {
      method: "PUT",
      body: update({ comment: { body: "x", public: false }, status: "new" }),
    });
    expect(refused).toMatchObject({ status: 422, body: { error: "RecordInvalid", details: { status: [expect.any(Object)] } } });
  });

  it("refuses every update of a closed ticket with Zendesk's 422 and details", async () => {
    expect(
      (await call("/__dev/tickets/4253/status", { method: "POST", body: JSON.stringify({ status: "closed" }), auth: null })).status,
    ).toBe(200);
    const before = zendesk.comments(4253).length;
    const refused = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4253", { method: "PUT", body: note("too late", true) });
    expect(refused).toMatchObject({
      status: 422,
      body: {
        error: "RecordInvalid",
        description: "Record validation errors",
        details: { status: [{ description: "Status: closed prevents ticket update" }] },
      },
    });
    expect(zendesk.comments(4253)).toHaveLength(before);
    expect(
      (await call("/__dev/tickets/4253/status", { method: "POST", body: JSON.stringify({ status: "gone" }), auth: null })).status,
    ).toBe(400);
    zendesk.setTicketStatus(4253, "new");
  });

  it("honours author_id when it is an agent, and refuses a customer or an unknown user (422 with details)", async () => {
    const agent = 36_000_000_002;
    await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4254", {
      method: "PUT",
      body: update({ comment: { body: "from Alex", public: true, author_id: agent } }),
    });
    expect(zendesk.comments(4254).at(-1)).toMatchObject({ authorId: agent, body: "from Alex" });
    for (const author of [36_000_000_101, 99]) {
      const refused = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4254", {
        method: "PUT",
        body: update({ comment: { body: "as someone else", public: true, author_id: author } }),
      });
      expect(refused).toMatchObject({ status: 422, body: { details: { author_id: [expect.any(Object)] } } });
    }
  });

  it("refuses a comment over 64 KB (422 with details), keeps one at the limit", async () => {
    const tooBig = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4255", {
      method: "PUT",
      body: note("x".repeat(MAX_COMMENT_BYTES + 1), false),
    });
    expect(tooBig).toMatchObject({ status: 422, body: { error: "RecordInvalid", details: { base: [{ error: "TooLong" }] } } });
    const atLimit = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4255", {
      method: "PUT",
      body: note("€".repeat(MAX_COMMENT_BYTES / 3), false),
    });
    expect(atLimit.status).toBe(200);
  });

  it("keeps html_body sanitised, with its text as body and plain_body", async () => {
    const { body } = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4255", {
      method: "PUT",
      body: update({
        comment: {
          html_body: '<p onclick="x()">Hi <b>there</b><script>alert(1)</script></p><ul><li>one</li></ul><a href="javascript:x">y</a>',
          public: false,
        },
      }),
    });
    const event = (body as { audit: { events: Record<string, string>[] } }).audit.events[0]!;
    expect(event.html_body).toBe('<div class="zd-comment" dir="auto"><p>Hi <b>there</b></p><ul><li>one</li></ul><a>y</a></div>');
    expect(event.plain_body).toBe("Hi there\n- one\ny");
    expect(event.body).toBe(event.plain_body);
  });

  it("answers its own links and ticket.url, with or without .json", async () => {
    const ticket = (await checked(OPERATIONS.showTicket, "/api/v2/tickets/4242.json")).body as { ticket: { url: string } };
    const byUrl = await call(new URL(ticket.ticket.url).pathname);
    expect(byUrl).toMatchObject({ status: 200, body: { ticket: { id: 4242 } } });
    for (let n = 0; n < 3; n++) zendesk.addComment(4243, { body: `linked ${n}`, public: false });
    const first = (await checked(OPERATIONS.listComments, "/api/v2/tickets/4243/comments.json?page[size]=2")).body as {
      links: { next: string };
    };
    const next = new URL(first.links.next);
    const second = await checked(OPERATIONS.listComments, `${next.pathname}${next.search}`);
    expect(second.status).toBe(200);
    expect((second.body as { comments: unknown[] }).comments).toHaveLength(2);
    const put = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4243.json", { method: "PUT", body: note("via .json", false) });
    expect(put.status).toBe(200);
    expect(zendesk.comments(4243).at(-1)).toMatchObject({ body: "via .json" });
  });
});

/** A ticket of its own, so counts of other tests' tickets stay as they expect. */
async function newTicket(): Promise<number> {
  const answer = await call("/__dev/tickets", { method: "POST", body: "{}", auth: null });
  expect(answer.status).toBe(201);
  return (answer.body as { id: number }).id;
}

describe("List Comments, every way Zendesk pages it", () => {
  it("pages by offset (page, per_page) in either sort_order, with next_page, previous_page and count", async () => {
    const id = await newTicket();
    for (let n = 1; n <= 4; n++) zendesk.addComment(id, { body: `offset ${n}`, public: false });
    const ids = zendesk.comments(id).map((c) => c.id);
    const first = await checked(OPERATIONS.listComments, `/api/v2/tickets/${id}/comments?per_page=2`);
    expect(first.body).toMatchObject({ count: 5, previous_page: null, next_page: expect.stringContaining("page=2") });
    expect((first.body as { comments: { id: number }[] }).comments.map((c) => c.id)).toEqual(ids.slice(0, 2));
    const next = new URL((first.body as { next_page: string }).next_page);
    const second = await checked(OPERATIONS.listComments, `${next.pathname}${next.search}`);
    expect((second.body as { comments: { id: number }[] }).comments.map((c) => c.id)).toEqual(ids.slice(2, 4));
    const newest = await checked(OPERATIONS.listComments, `/api/v2/tickets/${id}/comments?page=1&per_page=3&sort_order=desc`);
    expect((newest.body as { comments: { id: number }[] }).comments.map((c) => c.id)).toEqual([...ids].reverse().slice(0, 3));
    expect((await checked(OPERATIONS.listComments, `/api/v2/tickets/${id}/comments?sort_order=sideways`)).status).toBe(400);
    expect((await checked(OPERATIONS.listComments, `/api/v2/tickets/${id}/comments?page=0`)).status).toBe(400);
  });

  it("pages by cursor newest first with sort=-created_at, and refuses a cursor of the other order", async () => {
    const id = await newTicket();
    for (let n = 1; n <= 4; n++) zendesk.addComment(id, { body: `cursor ${n}`, public: false });
    const ids = zendesk.comments(id).map((c) => c.id);
    const seen: number[] = [];
    let query = "page[size]=2&sort=-created_at";
    let cursor = "";
    for (let page = 0; page < 5; page++) {
      const { body } = await checked(OPERATIONS.listComments, `/api/v2/tickets/${id}/comments?${query}`);
      const { comments, meta } = body as { comments: { id: number }[]; meta: { has_more: boolean; after_cursor: string } };
      seen.push(...comments.map((c) => c.id));
      cursor = meta.after_cursor;
      if (!meta.has_more) break;
      query = `page[size]=2&sort=-created_at&page[after]=${cursor}`;
    }
    expect(seen).toEqual([...ids].reverse());
    expect((await checked(OPERATIONS.listComments, `/api/v2/tickets/${id}/comments?page[size]=2&page[after]=${cursor}`)).status).toBe(400);
    expect((await checked(OPERATIONS.listComments, `/api/v2/tickets/${id}/comments?page[size]=2&sort=newest`)).status).toBe(400);
  });
});

describe("rate limits as Zendesk documents them", () => {
  const limitsCall = (method: string, body?: unknown) =>
    call("/__dev/limits", { method, auth: null, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  it("says the account's limit and what remains on every API answer, and answers 429 with Retry-After past it", async () => {
    expect(await limitsCall("GET")).toMatchObject({ status: 200, body: { limits: ZENDESK_LIMITS } });
    expect((await limitsCall("POST", { accountRequests: 2, accountWindowSeconds: 30 })).status).toBe(200);
    const first = await checked(OPERATIONS.showTicket, "/api/v2/tickets/4242");
    expect(Object.fromEntries([...first.headers].filter(([name]) => /rate-?limit/i.test(name)))).toEqual({
      "x-rate-limit": "2",
      "x-rate-limit-remaining": "1",
      "ratelimit-limit": "2",
      "ratelimit-remaining": "1",
      "ratelimit-reset": expect.stringMatching(/^(29|30)$/),
    });
    expect((await checked(OPERATIONS.listComments, "/api/v2/tickets/4242/comments")).headers.get("x-rate-limit-remaining")).toBe("0");
    const limited = await checked(OPERATIONS.showTicket, "/api/v2/tickets/4242");
    expect(limited).toMatchObject({ status: 429, body: { error: "APIRateLimitExceeded" } });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(20);
    expect(limited.headers.get("x-rate-limit-remaining")).toBe("0");
    // The token endpoint is not an API call.
    expect((await call("/oauth/tokens", { method: "POST", body: tokenBody(), auth: null })).headers.get("x-rate-limit")).toBeNull();
    expect(zendesk.stats().rateLimited).toBeGreaterThanOrEqual(1);
  });

  it("allows 30 updates of a ticket per 10 minutes, then 429 with Retry-After until the oldest leaves the window", async () => {
    const [id, other] = [await newTicket(), await newTicket()];
    for (let n = 1; n <= ZENDESK_LIMITS.ticketUpdates; n++) {
      const answer = await call(`/api/v2/tickets/${id}`, { method: "PUT", body: note(`update ${n}`, false) });
      expect(answer.status).toBe(200);
    }
    const limited = await checked(OPERATIONS.updateTicket, `/api/v2/tickets/${id}`, { method: "PUT", body: note("one too many", false) });
    expect(limited).toMatchObject({ status: 429, body: { error: "APIRateLimitExceeded", description: expect.stringContaining("ticket") } });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(590);
    expect(zendesk.comments(id).filter((c) => c.body === "one too many")).toEqual([]);
    // Reads of it and updates of other tickets go on.
    expect((await checked(OPERATIONS.showTicket, `/api/v2/tickets/${id}`)).status).toBe(200);
    expect((await checked(OPERATIONS.updateTicket, `/api/v2/tickets/${other}`, { method: "PUT", body: note("other", false) })).status).toBe(
      200,
    );
  });

  it("frees a ticket's updates as they leave a short window, and counts only updates it applied", async () => {
    const id = await newTicket();
    await limitsCall("POST", { ticketUpdates: 1, ticketWindowSeconds: 1 });
    expect((await call(`/api/v2/tickets/${id}`, { method: "PUT", body: note("first", false) })).status).toBe(200);
    expect((await call(`/api/v2/tickets/${id}`, { method: "PUT", body: note("second", false) })).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call(`/api/v2/tickets/${id}`, { method: "PUT", body: note("  ", false) })).status).toBe(422);
    expect((await call(`/api/v2/tickets/${id}`, { method: "PUT", body: note("third", false) })).status).toBe(200);
  });

  it("refuses limits it cannot follow, and goes back to Zendesk's on DELETE", async () => {
    expect(await limitsCall("POST", { accountRequests: 0 })).toMatchObject({ status: 400, body: { error: "InvalidLimits" } });
    expect((await limitsCall("POST", { surprise: 1 })).status).toBe(400);
    expect(await limitsCall("DELETE")).toMatchObject({ status: 200, body: { limits: ZENDESK_LIMITS } });
  });
});

describe("tokens that expire", () => {
  it("ends tokens after the lifetime set, saying so in expires_in unless told not to", async () => {
    const set = (body: unknown) => call("/__dev/tokens", { method: "POST", body: JSON.stringify(body), auth: null });
    expect((await set({ lifetimeSeconds: 1 })).status).toBe(200);
    const announced = await checked(OPERATIONS.token, "/oauth/tokens", { method: "POST", body: tokenBody(), auth: null });
    expect(announced.body).toMatchObject({ expires_in: 1 });
    await set({ lifetimeSeconds: 1, announced: false });
    const silent = await checked(OPERATIONS.token, "/oauth/tokens", { method: "POST", body: tokenBody(), auth: null });
    expect(silent.body).toMatchObject({ expires_in: 3600 });
    const short = (silent.body as { access_token: string }).access_token;
    expect((await call("/api/v2/tickets/4242", { auth: `Bearer ${short}` })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await checked(OPERATIONS.showTicket, "/api/v2/tickets/4242", { auth: `Bearer ${short}` })).status).toBe(401);
    expect((await set({ lifetimeSeconds: 0 })).status).toBe(400);
    await set({ lifetimeSeconds: null, announced: true });
  });
});

describe("GET /api/v2/users/search", () => {
  it("finds users by exact e-mail, by part of a name, and nobody for no match", async () => {
    const byEmail = await checked(
      OPERATIONS.searchUsers,
      `/api/v2/users/search?query=${encodeURIComponent("email:OPS@acme-legacy.example")}`,
    );
    expect(byEmail.body).toMatchObject({ users: [{ name: "Olivia Ops", email: "ops@acme-legacy.example" }], count: 1, next_page: null });
    const byName = await checked(OPERATIONS.searchUsers, "/api/v2/users/search?query=marco");
    expect(byName.body).toMatchObject({ users: [{ email: "marketing@acme-legacy.example" }] });
    const acme = await checked(OPERATIONS.searchUsers, "/api/v2/users/search?query=acme-legacy&per_page=2");
    expect(acme.body).toMatchObject({ count: 3, next_page: expect.stringContaining("page=2") });
    expect((await checked(OPERATIONS.searchUsers, "/api/v2/users/search?query=nobody-at-all")).body).toMatchObject({ users: [], count: 0 });
    expect((await checked(OPERATIONS.searchUsers, "/api/v2/users/search")).status).toBe(400);
  });
});

describe("fault injection", () => {
  const postFault = (fault: unknown) => call("/__dev/faults", { method: "POST", body: JSON.stringify(fault), auth: null });

  it("answers 429 with Retry-After the given number of times, over HTTP", async () => {
    expect((await postFault({ status: 429, retryAfter: 2, times: 2, paths: "/api/v2/tickets/4242" })).status).toBe(201);
    for (let n = 0; n < 2; n++) {
      const limited = await checked(OPERATIONS.showTicket, "/api/v2/tickets/4242");
      expect(limited).toMatchObject({ status: 429, body: { error: "APIRateLimitExceeded" } });
      expect(limited.headers.get("retry-after")).toBe("2");
    }
    expect((await checked(OPERATIONS.showTicket, "/api/v2/tickets/4242")).status).toBe(200);
  });

  it("matches paths and methods, lists what is pending and forgets it on DELETE", async () => {
    zendesk.injectFault({ status: 503, paths: ["comments"], method: "GET", times: 5 });
    expect((await checked(OPERATIONS.showTicket, "/api/v2/tickets/4242")).status).toBe(200);
    const unavailable = await checked(OPERATIONS.listComments, "/api/v2/tickets/4242/comments");
    expect(unavailable).toMatchObject({ status: 503, body: { error: "ServiceUnavailable" } });
    expect(unavailable.headers.get("retry-after")).toBeNull();
    expect((await call("/__dev/faults", { auth: null })).body).toMatchObject({ faults: [{ left: 4, fault: { status: 503 } }] });
    expect((await call("/__dev/faults", { method: "DELETE", auth: null })).status).toBe(204);
    expect((await checked(OPERATIONS.listComments, "/api/v2/tickets/4242/comments")).status).toBe(200);
  });

  it("applies the write before failing when asked: the ambiguous 500", async () => {
    const before = zendesk.comments(4248).length;
    zendesk.injectFault({ status: 500, method: "PUT", apply: true });
    const failed = await checked(OPERATIONS.updateTicket, "/api/v2/tickets/4248", { method: "PUT", body: note("written anyway", false) });
    expect(failed).toMatchObject({ status: 500, body: { error: "InternalServerError" } });
    expect(zendesk.comments(4248)).toHaveLength(before + 1);
  });

  it("delays or hangs an answer", async () => {
    zendesk.injectFault({ delayMs: 300, paths: "/api/v2/tickets/4249" });
    const started = performance.now();
    expect((await checked(OPERATIONS.showTicket, "/api/v2/tickets/4249")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    zendesk.injectFault({ hang: true, paths: "/api/v2/tickets/4249" });
    await expect(
      fetch(`${zendesk.url}/api/v2/tickets/4249`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
  });

  it("refuses a fault it cannot follow, with what is wrong", async () => {
    const bad = await postFault({ status: 200 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: "InvalidFault", issues: [expect.stringContaining("status")] });
    expect((await postFault({ times: 2 })).status).toBe(400);
    expect((await postFault({ status: 500, hang: true })).status).toBe(400);
    expect((await postFault({ status: 500, surprise: true })).status).toBe(400);
  });
});

describe("stats and latency", () => {
  it("counts API requests by route and tokens issued, until reset", async () => {
    zendesk.resetStats();
    await newToken();
    await call("/api/v2/tickets/4242");
    await call("/api/v2/tickets/4243");
    await call("/api/v2/tickets/4242/comments");
    const stats = (await call("/__dev/stats", { auth: null })).body;
    expect(stats).toEqual({
      requests: 4,
      byRoute: { "POST /oauth/tokens": 1, "GET /api/v2/tickets/{id}": 2, "GET /api/v2/tickets/{id}/comments": 1 },
      tokensIssued: 1,
      faultsServed: 0,
      rateLimited: 0,
    });
    expect((await call("/__dev/stats", { method: "DELETE", auth: null })).status).toBe(204);
    expect(zendesk.stats().requests).toBe(0);
  });

  it("adds latencyMs to every API answer", async () => {
    const slow = await startDevZendesk({ port: 0, latencyMs: 150, log: () => {} });
    try {
      const started = performance.now();
      const res = await fetch(`${slow.url}/oauth/tokens`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
      expect(res.status).toBe(400);
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    } finally {
      await slow.close();
    }
  });
});

describe("agents' pages", () => {
  it("shows a ticket with its comments oldest first, internal notes marked, everything escaped", async () => {
    zendesk.addComment(4250, { body: `<script>alert("x")</script> & "quotes"`, public: false });
    zendesk.addComment(4250, { body: "Your scopes are reset.", public: true });
    const res = await fetch(`${zendesk.url}/agent/tickets/4250`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).not.toContain("<script>");
    expect(html).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#34;quotes&#34;");
    expect(html).toContain("Rita Reset &#60;ops@already-reset.example&#62;");
    expect(html).toContain("Already Reset Inc.");
    const items = [...html.matchAll(/<li class="comment (public|internal)"[^>]*data-comment-id="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(items.map(([kind]) => kind)).toEqual(["public", "internal", "public"]);
    expect(items.map(([, id]) => id)).toEqual(zendesk.comments(4250).map((c) => c.id));
    expect(html).toMatch(/Internal note<\/span><span>Scopedesk Integration/);
  });

  it("shows each comment as Zendesk renders it, Markdown and all, with the text as sent beneath", async () => {
    const id = await newTicket();
    zendesk.addComment(id, {
      body: "Summary for <agent@scopedesk.test>:\n+ api_keys.create and mail_settings.read\n+ alerts.read",
      public: false,
    });
    const html = await (await fetch(`${zendesk.url}/agent/tickets/${id}`)).text();
    expect(html).toContain(
      '<div class="rendered"><p>Summary for :</p>\n<ul><li>api<em>keys.create and mail</em>settings.read</li><li>alerts.read</li></ul></div>',
    );
    expect(html).toContain(
      "<details><summary>As sent</summary><pre>Summary for &#60;agent@scopedesk.test&#62;:\n+ api_keys.create and mail_settings.read",
    );
  });

  it("lists the tickets and answers 404 for an unknown one", async () => {
    const list = await (await fetch(`${zendesk.url}/agent/tickets`)).text();
    for (const seed of TICKET_SEEDS) expect(list).toContain(`href="/agent/tickets/${seed.id}"`);
    expect((await fetch(`${zendesk.url}/agent/tickets/1`)).status).toBe(404);
  });

  it("logs requests without tokens or secrets", () => {
    const all = logLines.join("\n");
    expect(all).toContain("GET /api/v2/tickets/4242 200");
    expect(all).not.toContain(token);
    expect(all).not.toContain(zendesk.clientSecret);
  });
});
