import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { filterKey } from "@/lib/audit/filters";
import { scopeSetFingerprint } from "@/lib/scopes/fingerprint";
import { getDb } from "@/lib/platform/db";
import { createAccount, createAccountWithKey, POST_CUTOFF_SCOPES, PRE_CUTOFF_SCOPES } from "../support/factories";
import { anonymousFetch, openTicket, signIn, type HttpSession } from "../support/http-session";
import { v3 } from "../support/v3-contract";

/**
 * Issue 13: no input makes the production build answer 5xx. Every row is
 * answered 4xx: on /api as JSON with the request id, on /v3 in the contract's
 * shape with the request id, in the browser as a plain HTML 400 or 404 page.
 * NUL and lone surrogates are refused by the pipeline (the message says so),
 * so none reaches Postgres (which would fail with 22021).
 */
interface Context {
  agent: HttpSession;
  lead: HttpSession;
  key: string;
  accountId: number;
  resetId: string;
  deliveryId: string;
  ticketUrl: string;
}
type Surface = "api" | "v3" | "page";
interface Row {
  name: string;
  surface: Surface;
  send: (c: Context) => Promise<Response>;
  status?: number;
  message?: RegExp;
  allow?: string;
}

const NUL = "\u0000";
const LONE = "\ud800";
const UUID = "3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f";
const FINGERPRINT = scopeSetFingerprint(PRE_CUTOFF_SCOPES);
const NUL_MESSAGE = /NUL/;
const SURROGATE_MESSAGE = /lone surrogate/;
const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");
// A cursor of the unfiltered audit list, as the server would make it but with any time.
const auditCursor = (t: string, i = UUID) => base64(JSON.stringify({ k: filterKey({ params: {} }), t, i }));

const json = (session: HttpSession, method: string, path: string, body: unknown, raw = false) =>
  session.fetch(path, { method, headers: { "content-type": "application/json" }, body: raw ? (body as string) : JSON.stringify(body) });
const resetBody = (c: Context, overrides: Record<string, unknown> = {}) => ({
  ticket: c.ticketUrl,
  idempotencyKey: randomUUID(),
  expectedFingerprint: FINGERPRINT,
  ...overrides,
});
const familyBody = (c: Context, overrides: Record<string, unknown> = {}) => ({
  ticket: c.ticketUrl,
  idempotencyKey: randomUUID(),
  parent: null,
  subusers: [{ id: c.accountId, expectedFingerprint: FINGERPRINT }],
  ...overrides,
});
const key = (c: Context, path: string, init: RequestInit & { onBehalfOf?: string } = {}) => v3(path, { ...init, key: c.key });

const rows: Row[] = [];
const add = (surface: Surface, name: string, send: Row["send"], expected: Omit<Row, "name" | "surface" | "send"> = {}) =>
  rows.push({ name, surface, send, ...expected });

// Malformed percent-encoding (and an encoded NUL) in every dynamic segment.
const SEGMENTS = ["%zz", "%", "%E0%A4%A", "%C0%AF", "%ED%A0%80", "%FF%FE", "%00"];
const API_PATHS: [string, string, (c: Context) => unknown][] = [
  ["GET", "/api/accounts/{s}", () => undefined],
  ["GET", "/api/accounts/{s}/erase-jobs", () => undefined],
  ["GET", "/api/accounts/{s}/family-resets", () => undefined],
  ["POST", "/api/accounts/{s}/scope-resets", (c) => resetBody(c)],
  ["POST", "/api/accounts/{s}/family-resets", (c) => familyBody(c)],
  ["GET", "/api/scope-resets/{s}", () => undefined],
  ["GET", "/api/scope-resets/{s}/audit", () => undefined],
  ["POST", "/api/scope-resets/{s}/customer-reply", () => ({ text: "Hello", factsFingerprint: FINGERPRINT })],
  ["POST", "/api/family-resets/{s}/customer-reply", () => ({ text: "Hello", factsFingerprint: FINGERPRINT })],
  ["GET", "/api/accounts/{s}/customer-reply", () => undefined],
  ["POST", "/api/accounts/{s}/customer-reply", () => ({ ticket: "#1", text: "Hello", factsFingerprint: FINGERPRINT })],
  ["GET", "/api/family-resets/{s}", () => undefined],
  ["POST", "/api/helpdesk-deliveries/{s}/retry", () => ({})],
  ["GET", "/api/tickets/{s}", () => undefined],
  ["GET", "/api/audit/accounts/{s}", () => undefined],
  ["POST", "/api/accounts/{s}/approval-requests", (c) => ({ kind: "reset", reason: "why", ...resetBody(c) })],
  ["GET", "/api/approvals/{s}", () => undefined],
  ["POST", "/api/approvals/{s}/approve", () => ({})],
  ["POST", "/api/approvals/{s}/deny", () => ({ comment: "no" })],
  ["POST", "/api/approvals/{s}/execute", () => ({})],
  ["POST", "/api/approvals/{s}/cancel", () => ({})],
];
for (const [method, template, body] of API_PATHS) {
  for (const segment of SEGMENTS) {
    const path = template.replace("{s}", segment);
    add("api", `${method} ${path}`, (c) => (method === "GET" ? c.agent.fetch(path) : json(c.agent, method, path, body(c))));
  }
}
const PAGE_PATHS = [
  "/accounts/{s}",
  "/audit/accounts/{s}",
  "/audit/resets/{s}",
  "/family-resets/{s}",
  "/scope-resets/{s}",
  "/tickets/{s}",
  "/approvals/{s}",
];
for (const template of PAGE_PATHS) {
  for (const segment of SEGMENTS) {
    const path = template.replace("{s}", segment);
    add("page", `GET ${path}`, (c) => c.agent.fetch(path), { status: 400 });
  }
}

// NUL and lone surrogates, raw in JSON and encoded in queries, wherever text goes in.
for (const [label, text, message] of [
  ["NUL", NUL, NUL_MESSAGE],
  ["a lone surrogate", LONE, SURROGATE_MESSAGE],
] as const) {
  add(
    "api",
    `${label} in a reset reason`,
    (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/scope-resets`, resetBody(c, { reason: `because${text}` })),
    { status: 400, message },
  );
  add(
    "api",
    `${label} in a reset's ticket reference`,
    (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/scope-resets`, resetBody(c, { ticket: `#4242${text}` })),
    { status: 400, message },
  );
  add(
    "api",
    `${label} in an idempotency key`,
    (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/scope-resets`, resetBody(c, { idempotencyKey: `${randomUUID()}${text}` })),
    { status: 400, message },
  );
  add(
    "api",
    `${label} in a field name`,
    (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/scope-resets`, { ...resetBody(c), [`reason${text}`]: "x" }),
    { status: 400, message },
  );
  add(
    "api",
    `${label} in an approval request's reason`,
    (c) =>
      json(c.agent, "POST", `/api/accounts/${c.accountId}/approval-requests`, { kind: "reset", ...resetBody(c), reason: `because${text}` }),
    { status: 400, message },
  );
  add(
    "api",
    `${label} in a denial's comment`,
    (c) => json(c.lead, "POST", `/api/approvals/${randomUUID()}/deny`, { comment: `no${text}` }),
    { status: 400, message },
  );
  add(
    "api",
    `${label} in a family-reset reason`,
    (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/family-resets`, familyBody(c, { reason: text })),
    { status: 400, message },
  );
  add(
    "api",
    `${label} in a family-reset subuser's fingerprint`,
    (c) =>
      json(
        c.agent,
        "POST",
        `/api/accounts/${c.accountId}/family-resets`,
        familyBody(c, { subusers: [{ id: c.accountId, expectedFingerprint: `${FINGERPRINT.slice(1)}${text}` }] }),
      ),
    { status: 400, message },
  );
  add(
    "api",
    `${label} in the customer reply`,
    (c) =>
      json(c.agent, "POST", `/api/scope-resets/${c.resetId}/customer-reply`, {
        text: `Dear customer${text}`,
        factsFingerprint: FINGERPRINT,
      }),
    { status: 400, message },
  );
  add(
    "api",
    `${label} in a retry body`,
    (c) => json(c.agent, "POST", `/api/helpdesk-deliveries/${c.deliveryId}/retry`, { [`x${text}`]: 1 }),
    { status: 400, message },
  );
  add(
    "api",
    `${label} inside a lookup cursor`,
    (c) => c.agent.fetch(`/api/accounts?q=test&cursor=${base64(JSON.stringify({ after: `a${text}` }))}`),
    { status: 400, message: /cursor/ },
  );
  add(
    "v3",
    `${label} in an address to erase`,
    (c) => key(c, "/v3/recipients/erasejob", { method: "POST", body: JSON.stringify({ email_addresses: [`jane${text}@example.com`] }) }),
    { status: 400, message },
  );
  add(
    "v3",
    `${label} in a field name of an erasure`,
    (c) =>
      key(c, "/v3/recipients/erasejob", { method: "POST", body: JSON.stringify({ email_addresses: ["jane@example.com"], [text]: 1 }) }),
    { status: 400, message },
  );
  add(
    "v3",
    `${label} in a new key's name`,
    (c) => key(c, "/v3/api_keys", { method: "POST", body: JSON.stringify({ name: `key${text}` }) }),
    { status: 400, message },
  );
}
add(
  "api",
  "a lone low surrogate, raw in the JSON text",
  (c) =>
    json(
      c.agent,
      "POST",
      `/api/accounts/${c.accountId}/scope-resets`,
      `{"ticket":"${c.ticketUrl}","idempotencyKey":"${randomUUID()}","expectedFingerprint":"${FINGERPRINT}","reason":"\\udc00"}`,
      true,
    ),
  { status: 400, message: SURROGATE_MESSAGE },
);
for (const [path, session] of [
  ["/api/accounts?q=%00", "agent"],
  ["/api/accounts?q=ops%00%40acme-legacy.example", "agent"],
  ["/api/accounts?q=test&cursor=%00", "agent"],
  ["/api/accounts/{id}/family-resets?mode=%00", "agent"],
  ["/api/scope-resets?account=%00", "lead"],
  ["/api/scope-resets?ticket=4242%00", "lead"],
  ["/api/scope-resets?agent=%00", "lead"],
  ["/api/scope-resets?from=2026-01-01%00", "lead"],
  ["/api/scope-resets?to=%00", "lead"],
  ["/api/scope-resets?outcome=failed%00", "lead"],
  ["/api/scope-resets?range=%00", "lead"],
  ["/api/scope-resets?cursor=%00", "lead"],
  ["/api/scope-resets?limit=5%00", "lead"],
  ["/api/scope-resets?%00=1", "lead"],
  ["/api/scope-resets?ticket=%00", "agent"],
  ["/api/scope-resets/export?format=csv&ticket=%00", "lead"],
  ["/api/scope-resets/export?format=%00", "lead"],
] as const) {
  add("api", `GET ${path} (${session})`, (c) => c[session].fetch(path.replace("{id}", String(c.accountId))), {
    status: 400,
    message: NUL_MESSAGE,
  });
}
add("v3", "GET /v3/api_keys?limit=%00", (c) => key(c, "/v3/api_keys?limit=%00"), { status: 400, message: NUL_MESSAGE });
// An erase job's id in the path, malformed every way a segment can be.
for (const segment of SEGMENTS) {
  add("v3", `GET /v3/recipients/erasejob/${segment}`, (c) => key(c, `/v3/recipients/erasejob/${segment}`), { status: 400 });
}
add("v3", "GET /v3/scopes?x=%00", (c) => key(c, "/v3/scopes?x=%00"), { status: 400, message: NUL_MESSAGE });

// Cursors: absurd dates, other shapes, other filters, garbage.
for (const [name, cursor] of [
  ["dated year 0000", auditCursor("0000-01-01T00:00:00Z")],
  ["dated year 0000 with milliseconds", auditCursor("0000-01-01T00:00:00.000Z")],
  ["dated year 0001", auditCursor("0001-01-01T00:00:00Z")],
  ["dated before anything was recorded", auditCursor("2019-12-31T23:59:59Z")],
  ["with an impossible date", auditCursor("2026-02-30T00:00:00Z")],
  ["with a time that is a number", base64(JSON.stringify({ k: filterKey({ params: {} }), t: 0, i: UUID }))],
  ["with an id that is not a UUID", auditCursor("2026-01-01T00:00:00Z", "1 OR 1=1")],
  ["of another filter", base64(JSON.stringify({ k: "other", t: "2026-01-01T00:00:00Z", i: UUID }))],
  ["with extra fields", base64(JSON.stringify({ k: filterKey({ params: {} }), t: "2026-01-01T00:00:00Z", i: UUID, admin: true }))],
  ["that is JSON null", base64("null")],
  ["that is not base64", "!!!!"],
  ["that is malformed percent-encoding", "%zz"],
  ["over 200 characters", "A".repeat(201)],
] as const) {
  add("api", `an audit cursor ${name}`, (c) => c.lead.fetch(`/api/scope-resets?cursor=${cursor}`), { status: 400, message: /cursor/ });
}
for (const [name, cursor] of [
  ["that is JSON null", base64("null")],
  ["that is a list", base64("[]")],
  ["whose position is a number", base64(JSON.stringify({ after: 5 }))],
  ["whose position is too long", base64(JSON.stringify({ after: "a".repeat(301) }))],
  ["that is not JSON", base64("{after:")],
  ["that is malformed percent-encoding", "%zz"],
  ["over 600 characters", "A".repeat(601)],
] as const) {
  add("api", `a lookup cursor ${name}`, (c) => c.agent.fetch(`/api/accounts?q=test&cursor=${cursor}`), { status: 400, message: /cursor/i });
}

// Next's internal pages, reached directly.
for (const path of ["/_global-error", "/_not-found", "/_error", "/_not-found/x", "/_global-error?x=1"]) {
  add("page", `GET ${path}`, () => anonymousFetch(path), { status: 404 });
}

// Over-long values.
add("api", "a 1001-character search", (c) => c.agent.fetch(`/api/accounts?q=${"x".repeat(1001)}`), { status: 400, message: /too long/ });
add("api", "an 11-digit account id", (c) => c.agent.fetch("/api/accounts/12345678901"), { status: 400 });
add("api", "a 30-digit account id", (c) => c.agent.fetch(`/api/accounts/${"9".repeat(30)}`), { status: 400 });
add("api", "a 2000-character ticket reference", (c) => c.agent.fetch(`/api/tickets/${"1".repeat(2000)}`), { status: 400 });
add("api", "a reset id with 1000 characters more", (c) => c.agent.fetch(`/api/scope-resets/${UUID}${"0".repeat(1000)}`), { status: 400 });
add("api", "a 201-character audit filter", (c) => c.lead.fetch(`/api/scope-resets?account=${"a".repeat(201)}`), {
  status: 400,
  message: /too long/,
});
add(
  "api",
  "a 2001-character reason",
  (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/scope-resets`, resetBody(c, { reason: "x".repeat(2001) })),
  { status: 400, message: /at most 2000/ },
);
add(
  "api",
  "a reset body over 16 KiB",
  (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/scope-resets`, resetBody(c, { reason: "x".repeat(20_000) })),
  { status: 413 },
);
add(
  "api",
  "a customer reply over 20,000 characters",
  (c) =>
    json(c.agent, "POST", `/api/scope-resets/${c.resetId}/customer-reply`, { text: "x".repeat(20_001), factsFingerprint: FINGERPRINT }),
  { status: 400 },
);
add(
  "api",
  "a customer reply body over 64 KiB",
  (c) =>
    json(c.agent, "POST", `/api/scope-resets/${c.resetId}/customer-reply`, { text: "x".repeat(70_000), factsFingerprint: FINGERPRINT }),
  { status: 413 },
);
add(
  "api",
  "a family reset of 1001 subusers",
  (c) =>
    json(
      c.agent,
      "POST",
      `/api/accounts/${c.accountId}/family-resets`,
      familyBody(c, { subusers: Array.from({ length: 1001 }, (_, i) => ({ id: i + 1, expectedFingerprint: FINGERPRINT })) }),
    ),
  { status: 400, message: /At most 1000/ },
);
add(
  "v3",
  "5001 addresses to erase",
  (c) =>
    key(c, "/v3/recipients/erasejob", {
      method: "POST",
      body: JSON.stringify({ email_addresses: Array.from({ length: 5001 }, (_, i) => `p${i}@example.com`) }),
    }),
  { status: 400, message: /at most 5,000/ },
);
add("v3", "a 101-character key name", (c) => key(c, "/v3/api_keys", { method: "POST", body: JSON.stringify({ name: "k".repeat(101) }) }), {
  status: 400,
  message: /at most 100/,
});
add("page", "a 5000-digit account page", (c) => c.agent.fetch(`/accounts/${"9".repeat(5000)}`), { status: 404 });

// Repeated query parameters.
add("api", "q given twice", (c) => c.agent.fetch("/api/accounts?q=a&q=b"), { status: 400, message: /more than once/ });
add("api", "an audit filter given twice", (c) => c.lead.fetch(`/api/scope-resets?agent=${UUID}&agent=${UUID}`), {
  status: 400,
  message: /more than once/,
});
add("api", "the export format given twice", (c) => c.lead.fetch("/api/scope-resets/export?format=csv&format=jsonl"), {
  status: 400,
  message: /more than once/,
});
add(
  "api",
  "the family reset mode given twice",
  (c) => c.agent.fetch(`/api/accounts/${c.accountId}/family-resets?mode=default&mode=minimal`),
  { status: 400, message: /more than once/ },
);
add("v3", "a key list's limit given twice", (c) => key(c, "/v3/api_keys?limit=1&limit=2"), { status: 400, message: /more than once/ });

// Wrong methods: 405 with Allow.
for (const [method, path, allow] of [
  ["DELETE", "/api/accounts/{id}", "GET"],
  ["PUT", "/api/accounts/{id}/scope-resets", "POST"],
  ["GET", "/api/accounts/{id}/scope-resets", "POST"],
  ["PATCH", "/api/scope-resets", "GET"],
  ["POST", "/api/tickets/4242", "GET"],
  ["GET", "/api/helpdesk-deliveries/{delivery}/retry", "POST"],
  ["DELETE", "/api/accounts/{id}/family-resets", "GET, POST"],
] as const) {
  add(
    "api",
    `${method} ${path}`,
    (c) => {
      const url = path.replace("{id}", String(c.accountId)).replace("{delivery}", c.deliveryId);
      return method === "GET" ? c.agent.fetch(url) : json(c.agent, method, url, {});
    },
    { status: 405, allow },
  );
}
for (const [method, path, allow] of [
  ["DELETE", "/v3/scopes", "GET"],
  ["PUT", "/v3/recipients/erasejob", "POST"],
  ["GET", "/v3/recipients/erasejob", "POST"],
  ["POST", "/v3/scopes", "GET"],
  ["PATCH", "/v3/api_keys", "GET, POST"],
] as const) {
  add("v3", `${method} ${path}`, (c) => key(c, path, { method, body: method === "GET" ? undefined : "{}" }), { status: 405, allow });
}

// A trailing slash is another, unknown path: 404 like any (after authentication), never 405.
for (const [method, path] of [
  ["POST", "/v3/recipients/erasejob/"],
  ["GET", "/v3/recipients/erasejob/"],
  ["GET", `/v3/recipients/erasejob/${UUID}/`],
  ["GET", "/v3/scopes/"],
  ["POST", "/v3/api_keys/"],
  ["GET", "/v3/api_keys//"],
] as const) {
  add("v3", `${method} ${path} (trailing slash)`, (c) => key(c, path, { method, body: method === "GET" ? undefined : "{}" }), {
    status: 404,
    message: /Not Found/,
  });
}
add("v3", "POST /v3/recipients/erasejob/ without a key", () => v3("/v3/recipients/erasejob/", { method: "POST", body: "{}" }), {
  status: 401,
});

// Headers at the edge: an on-behalf-of that cannot name anybody by its form is 400 on its field; an absurd
// Authorization is no key (401); neither reaches the database as it is.
const ERASE_BODY = JSON.stringify({ email_addresses: ["jane@example.com"] });
for (const [what, header, message] of [
  ["5000 characters", "x".repeat(5000), /longer than 150 characters/],
  ["5000 characters with spaces", "a ".repeat(2500), /longer than 150 characters/],
  ["'account-id' and 5000 digits", `account-id ${"9".repeat(4990)}`, /longer than 150 characters/],
  ["an account id that is no number", "account-id twelve", /not an account id/],
  ["two words", "two words", /not a subuser username/],
  ["an empty value", " ", /empty/],
  ["Latin-1 bytes and 200 characters", "é".repeat(200), /longer than 150 characters/],
] as const) {
  add(
    "v3",
    `an on-behalf-of of ${what}`,
    (c) => key(c, "/v3/recipients/erasejob", { method: "POST", onBehalfOf: header, body: ERASE_BODY }),
    { status: 400, message },
  );
}
add("v3", "an on-behalf-of of 5000 characters on GET /v3/scopes", (c) => key(c, "/v3/scopes", { onBehalfOf: "y".repeat(5000) }), {
  status: 400,
});
for (const [what, authorization] of [
  ["a 5000-character bearer token", `Bearer ${"k".repeat(5000)}`],
  ["a 5000-character key of the right form", `Bearer SG.${"a".repeat(22)}.${"b".repeat(4970)}`],
  ["Basic credentials", `Basic ${Buffer.from("user:pass").toString("base64")}`],
  ["only the scheme", "Bearer"],
  ["Latin-1 bytes", `Bearer ${"é".repeat(300)}`],
] as const) {
  add("v3", `an Authorization of ${what}`, () => v3("/v3/scopes", { headers: { authorization: authorization } }), { status: 401 });
}
add(
  "v3",
  "a 5000-character on-behalf-of without a key (the key first)",
  () => v3("/v3/recipients/erasejob", { method: "POST", onBehalfOf: "z".repeat(5000), body: ERASE_BODY }),
  { status: 401 },
);

// Other headers at the edge, absurd or malformed: each a 4xx, never a 5xx.
for (const [what, headers] of [
  ["a 5000-character sidebar session", { "x-scopedesk-sidebar-session": `sds1.${"a".repeat(5000)}` }],
  ["a sidebar session naming no staff id", { "x-scopedesk-sidebar-session": `sds1.not-a-uuid.${"b".repeat(43)}` }],
  ["a 5000-character session cookie", { cookie: `authjs.session-token=${"c".repeat(5000)}` }],
  ["a 5000-character console token", { authorization: `Bearer ${"d".repeat(5000)}` }],
] as const) {
  add("api", `GET /api/accounts with ${what}`, () => anonymousFetch("/api/accounts?q=test", { headers }), { status: 401 });
}
add(
  "v3",
  "a keyless request with a 5000-character X-Forwarded-For",
  () => v3("/v3/scopes", { headers: { "x-forwarded-for": "203.0.113.9, ".repeat(400) + "x".repeat(200) } }),
  { status: 401 },
);
add(
  "api",
  "a webhook with a 5000-character signature and timestamp",
  () =>
    anonymousFetch("/api/zendesk-app/webhook", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-zendesk-webhook-signature": "A".repeat(5000),
        "x-zendesk-webhook-signature-timestamp": "2".repeat(5000),
      },
      body: JSON.stringify({ ticket_id: "4242" }),
    }),
  { status: 401 },
);
add(
  "api",
  "a webhook whose signature is base64 of the right length spelled non-canonically",
  () =>
    anonymousFetch("/api/zendesk-app/webhook", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-zendesk-webhook-signature": `${"A".repeat(42)}B=`,
        "x-zendesk-webhook-signature-timestamp": new Date().toISOString(),
      },
      body: JSON.stringify({ ticket_id: "4242" }),
    }),
  { status: 401, message: /canonical/ },
);

// Unknown fields and parameters.
add(
  "api",
  "a reset with an unknown field",
  (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/scope-resets`, resetBody(c, { scopes: ["mail.send"] })),
  { status: 400, message: /scopes/ },
);
add(
  "api",
  "a family reset with an unknown field",
  (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/family-resets`, familyBody(c, { force: true })),
  { status: 400 },
);
add(
  "api",
  "a family reset subuser with an unknown field",
  (c) =>
    json(
      c.agent,
      "POST",
      `/api/accounts/${c.accountId}/family-resets`,
      familyBody(c, { subusers: [{ id: c.accountId, expectedFingerprint: FINGERPRINT, role: "admin" }] }),
    ),
  { status: 400 },
);
add(
  "api",
  "a customer reply with an unknown field",
  (c) =>
    json(c.agent, "POST", `/api/scope-resets/${c.resetId}/customer-reply`, { text: "Hello", factsFingerprint: FINGERPRINT, public: false }),
  { status: 400 },
);
add(
  "api",
  "a retry with an unknown field",
  (c) => json(c.agent, "POST", `/api/helpdesk-deliveries/${c.deliveryId}/retry`, { force: true }),
  { status: 400 },
);
add("api", "a lookup with an unknown parameter", (c) => c.agent.fetch("/api/accounts?q=test&admin=1"), { status: 400 });
add("api", "an audit list with an unknown parameter", (c) => c.lead.fetch("/api/scope-resets?sort=asc"), { status: 400 });
add("api", "an account with a query it does not take", (c) => c.agent.fetch(`/api/accounts/${c.accountId}?expand=all`), {
  status: 400,
  message: /takes no parameters/,
});
add("v3", "a key list with an unknown parameter", (c) => key(c, "/v3/api_keys?offset=1"), { status: 400 });

// Bodies that are not UTF-8, not JSON, not objects.
add(
  "api",
  "a reset body that is not UTF-8",
  (c) =>
    c.agent.fetch(`/api/accounts/${c.accountId}/scope-resets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    }),
  { status: 400, message: /UTF-8/ },
);
add(
  "v3",
  "an erasure body that is not UTF-8",
  (c) => key(c, "/v3/recipients/erasejob", { method: "POST", body: new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]) }),
  { status: 400, message: /UTF-8/ },
);
add(
  "api",
  "a reset body that is a JSON string",
  (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/scope-resets`, '"reset"', true),
  { status: 400 },
);
// Nested as deep as each body limit allows: the text check must not run out of stack.
const nested = (depth: number) => `{"reason":${"[".repeat(depth)}${"]".repeat(depth)}}`;
add(
  "api",
  "a reset body nested 8,000 deep",
  (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/scope-resets`, nested(8_000), true),
  { status: 400 },
);
add(
  "api",
  "a family-reset body nested 32,000 deep",
  (c) => json(c.agent, "POST", `/api/accounts/${c.accountId}/family-resets`, nested(32_000), true),
  { status: 400 },
);
add("v3", "an erasure body nested 130,000 deep", (c) => key(c, "/v3/recipients/erasejob", { method: "POST", body: nested(130_000) }), {
  status: 400,
});
add(
  "v3",
  "an erasure body with null addresses",
  (c) => key(c, "/v3/recipients/erasejob", { method: "POST", body: JSON.stringify({ email_addresses: null }) }),
  { status: 400 },
);

let context: Context;
beforeAll(async () => {
  const [agent, lead, ticket, { key: apiKey }] = await Promise.all([
    signIn("agent@scopedesk.test"),
    signIn("lead@scopedesk.test"),
    openTicket(),
    createAccountWithKey({
      keyScopes: [...POST_CUTOFF_SCOPES.filter((s) => s.startsWith("recipients.")), "api_keys.create", "api_keys.read"],
    }),
  ]);
  // One real reset, so the reply and retry rows reach their bodies; the table's own account stays untouched.
  const done = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
  const reset = await json(agent, "POST", `/api/accounts/${done.id}/scope-resets`, {
    ticket: ticket.url,
    idempotencyKey: randomUUID(),
    expectedFingerprint: FINGERPRINT,
  });
  expect(reset.status).toBe(201);
  const resetId = ((await reset.json()) as { reset: { id: string } }).reset.id;
  const delivery = await getDb().helpdeskDelivery.findFirstOrThrow({ where: { resetId }, select: { id: true } });
  const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
  context = { agent, lead, key: apiKey.plaintext, accountId: account.id, resetId, deliveryId: delivery.id, ticketUrl: ticket.url };
});

describe("no 5xx from bad input", () => {
  it("has more than 100 inputs", () => {
    expect(rows.length).toBeGreaterThan(100);
  });

  it.each(rows.map((r) => [r.name, r] as const))("%s", async (_name, row) => {
    const response = await row.send(context);
    const text = await response.text();
    expect(response.status, text.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(response.status, text.slice(0, 300)).toBeLessThan(500);
    if (row.status) expect(response.status, text.slice(0, 300)).toBe(row.status);
    const requestId = response.headers.get("x-request-id");
    if (row.surface === "page") {
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      return;
    }
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    if (row.allow) expect(response.headers.get("allow")).toBe(row.allow);
    if (row.surface === "api") {
      const body = JSON.parse(text) as { error: { code: string; message: string; requestId: string } };
      expect(body.error.requestId).toBe(requestId);
      if (row.message) expect(body.error.message).toMatch(row.message);
    } else {
      const body = JSON.parse(text) as { errors: { message: string; field: string }[] };
      expect(body.errors.length).toBeGreaterThan(0);
      if (row.message) expect(body.errors.map((e) => e.message).join("; ")).toMatch(row.message);
    }
  });

  it("left no trace on the account the table aimed at", async () => {
    const db = getDb();
    const [resets, notes, events] = await Promise.all([
      db.scopeReset.count({ where: { accountId: context.accountId } }),
      db.ticketNote.count({ where: { accountId: context.accountId } }),
      db.auditEvent.count({ where: { targetType: "account", targetId: String(context.accountId) } }),
    ]);
    expect({ resets, notes, events }).toEqual({ resets: 0, notes: 0, events: 0 });
  });

  // A NUL, a lone surrogate or a malformed escape in a page's query is bad input: a 400 page, before any page runs.
  it.each([
    "/lookup?q=%00",
    "/lookup?q=ops%00%40acme-legacy.example&ticket=4242",
    "/lookup?q=%ED%A0%80",
    "/lookup?q=100%",
    "/audit?account=%00",
    "/audit?ticket=4242%00",
    "/audit?cursor=%zz",
    "/accounts/100001?ticket=4242%00",
    "/tickets/4242?x=%E0%A4%A",
  ])("answers a bad query in %s with a 400 page", async (path) => {
    const response = await context.lead.fetch(path);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toContain("The address is not valid");
  });

  // Text a person can type (too long, not an id) stays the page's own form error, shown on the page.
  it.each([
    ["/lookup?q=" + "a".repeat(300), "at most"],
    ["/audit?account=a%20b", "account must be an account id"],
  ])("shows %s as the page's own input error", async (path, message) => {
    const response = await context.lead.fetch(path);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(message);
  });

  it("shows an absurd cursor on the audit page as an error on the page, not a 500", async () => {
    const response = await context.lead.fetch(`/audit?cursor=${auditCursor("0000-01-01T00:00:00Z")}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("The cursor is malformed");
  });
});

describe("failures after validation are recorded, bad input is not", () => {
  async function attempt(accountId: number, overrides: Record<string, unknown>) {
    const response = await json(context.agent, "POST", `/api/accounts/${accountId}/scope-resets`, resetBody(context, overrides));
    const db = getDb();
    const [records, events] = await Promise.all([
      db.scopeReset.findMany({ where: { accountId }, select: { outcome: true, failureReason: true, requestId: true } }),
      db.auditEvent.findMany({ where: { targetType: "account", targetId: String(accountId) }, select: { action: true, requestId: true } }),
    ]);
    return { response, records, events };
  }

  it("records a stale preview as a failed attempt with its audit event", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const { response, records, events } = await attempt(account.id, { expectedFingerprint: "0".repeat(64) });
    expect(response.status).toBe(409);
    const requestId = response.headers.get("x-request-id");
    expect(records).toEqual([{ outcome: "failed", failureReason: expect.stringMatching(/^stale_preview:/), requestId }]);
    expect(events).toEqual([{ action: "scope_reset.failed", requestId }]);
  });

  it("records nothing for a refusal of the request itself (nothing to do without a reason)", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const { response, records, events } = await attempt(account.id, { expectedFingerprint: scopeSetFingerprint(POST_CUTOFF_SCOPES) });
    expect(response.status).toBe(400);
    expect({ records, events }).toEqual({ records: [], events: [] });
  });
});
