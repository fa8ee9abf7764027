import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { scopeSetFingerprint } from "@/lib/scopes/fingerprint";
import { getDb } from "@/lib/platform/db";
import { createAccount, PRE_CUTOFF_SCOPES } from "../support/factories";
import { anonymousFetch, openTicket, signIn, ticketUrl, type HttpSession } from "../support/http-session";

let agent: HttpSession;
let viewer: HttpSession;
let lead: HttpSession;
/** A ticket of the development Zendesk: a reset's ticket must exist. */
let TICKET: { ticketId: string; url: string } | undefined;
const FINGERPRINT = scopeSetFingerprint(PRE_CUTOFF_SCOPES);

beforeAll(async () => {
  TICKET = await openTicket();
  [agent, viewer, lead] = await Promise.all([
    signIn("agent@scopedesk.test"),
    signIn("viewer@scopedesk.test"),
    signIn("lead@scopedesk.test"),
  ]);
});

function body(overrides: Record<string, unknown> = {}) {
  // The table of bad inputs is built before beforeAll runs; it is refused before the ticket is looked at.
  return { ticket: TICKET?.url ?? "#1", idempotencyKey: randomUUID(), expectedFingerprint: FINGERPRINT, ...overrides };
}

function post(session: HttpSession, accountId: number | string, payload: unknown, raw = false) {
  return session.fetch(`/api/accounts/${accountId}/scope-resets`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ? (payload as string) : JSON.stringify(payload),
  });
}

/** Everything a reset could leave behind on an account. */
async function written(accountId: number) {
  const db = getDb();
  const [account, resets, ticketNotes, adminNotes] = await Promise.all([
    db.account.findUniqueOrThrow({ where: { id: accountId }, select: { scopeSet: { select: { fingerprint: true } } } }),
    db.scopeReset.count({ where: { accountId } }),
    db.ticketNote.count({ where: { accountId } }),
    db.adminNote.count({ where: { accountId } }),
  ]);
  return { fingerprint: account.scopeSet.fingerprint, resets, ticketNotes, adminNotes };
}

const NOTHING = { fingerprint: FINGERPRINT, resets: 0, ticketNotes: 0, adminNotes: 0 };

describe("POST /api/accounts/{id}/scope-resets", () => {
  it("resets, answers 201 with the result, and replays the same confirmation as 200", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const payload = body({ ticket: `#${TICKET!.ticketId}` });
    const response = await post(agent, account.id, payload);
    expect(response.status).toBe(201);
    const first = (await response.json()) as {
      replayed: boolean;
      reset: { id: string; outcome: string; added: string[]; links: { self: string } };
    };
    expect(first).toMatchObject({
      replayed: false,
      reset: { outcome: "succeeded", verified: true, ticket: { ticketId: TICKET!.ticketId }, accountId: account.id },
    });
    expect(first.reset.added).toEqual(["recipients.erasejob.create", "recipients.erasejob.read"]);
    expect(response.headers.get("x-request-id")).toBeTruthy();

    const again = await post(agent, account.id, payload);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ replayed: true, reset: { id: first.reset.id } });

    const mismatch = await post(agent, account.id, { ...payload, reason: "different" });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.json()).toMatchObject({ error: { code: "idempotency_mismatch" } });

    expect(await written(account.id)).toMatchObject({ resets: 1, ticketNotes: 2, adminNotes: 1 });

    const view = await agent.fetch(first.reset.links.self);
    expect(view.status).toBe(200);
    const full = (await view.json()) as { id: string; reply: { draft: { text: string } }; notes: { before: { body: string } } };
    expect(full.id).toBe(first.reset.id);
    expect(full.notes.before.body).toContain("Scopes BEFORE");
    expect(full.reply.draft.text).toContain("create a new API key");
  });

  it("lets a lead reset too", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    expect((await post(lead, account.id, body())).status).toBe(201);
  });

  it("refuses a viewer with 403 and writes nothing", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const response = await post(viewer, account.id, body());
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "forbidden" } });
    expect(await written(account.id)).toEqual(NOTHING);
  });

  it("refuses a signed-out caller with 401", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const response = await anonymousFetch(`/api/accounts/${account.id}/scope-resets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body()),
    });
    expect(response.status).toBe(401);
    expect(await written(account.id)).toEqual(NOTHING);
  });

  it.each([
    ["an empty body", "", 400, /empty/],
    ["non-JSON", "{ticket:", 400, /not valid JSON/],
    ["a JSON array", "[]", 400, /Invalid body/],
    ["a missing ticket", JSON.stringify(body({ ticket: undefined })), 400, /ticket is required/],
    [
      "a malformed ticket",
      JSON.stringify(body({ ticket: "https://acme.zendesk.com.evil.example/agent/tickets/1" })),
      400,
      /not on this console's helpdesk/,
    ],
    [
      "another company's Zendesk ticket",
      JSON.stringify(body({ ticket: "https://other-company.zendesk.com/agent/tickets/4242" })),
      400,
      /not on this console's helpdesk\. Enter a ticket URL of http/,
    ],
    [
      "a Freshdesk ticket",
      JSON.stringify(body({ ticket: "https://acme.freshdesk.com/a/tickets/4242" })),
      400,
      /not on this console's helpdesk/,
    ],
    ["a ticket of the wrong type", JSON.stringify(body({ ticket: 9001 })), 400, /ticket/],
    ["a missing idempotency key", JSON.stringify(body({ idempotencyKey: undefined })), 400, /idempotencyKey/],
    ["a malformed fingerprint", JSON.stringify(body({ expectedFingerprint: "abc" })), 400, /expectedFingerprint/],
    ["a reason over the cap", JSON.stringify(body({ reason: "x".repeat(2001) })), 400, /at most 2000/],
    ["a body over 16 KiB", JSON.stringify(body({ reason: "x".repeat(20_000) })), 413, /larger than/],
    ["an unknown field", JSON.stringify(body({ scopes: ["mail.send"] })), 400, /scopes/],
  ])("answers %s with a clear %i and writes nothing", async (_name, raw, status, message) => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const response = await post(agent, account.id, raw, true);
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: { message: string; requestId: string } };
    expect(json.error.message).toMatch(message);
    expect(json.error.requestId).toBeTruthy();
    expect(await written(account.id)).toEqual(NOTHING);
  });

  it("answers an unknown account with 404 and a malformed id with 400", async () => {
    const before = await getDb().scopeReset.count();
    const unknown = await post(agent, 1_999_999_999, body());
    expect(unknown.status).toBe(404);
    expect((await post(agent, "12abc", body())).status).toBe(400);
    expect(await getDb().scopeReset.count()).toBe(before);
  });

  it("refuses a stale preview with 409 and asks to review again", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const response = await post(agent, account.id, body({ expectedFingerprint: "0".repeat(64) }));
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: "stale_preview", message: expect.stringMatching(/review again/i) } });
    expect(await written(account.id)).toMatchObject({ fingerprint: FINGERPRINT, ticketNotes: 0, adminNotes: 0 });
  });

  it("tells the second of two agents who reset the account and when", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const agent2 = await signIn("agent2@scopedesk.test");
    const [a, b] = await Promise.all([post(agent, account.id, body()), post(agent2, account.id, body())]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([201, 409]);
    const loser = a.status === 409 ? a : b;
    const json = (await loser.json()) as { error: { code: string; details: { actorName: string; at: string } } };
    expect(json.error.code).toBe("already_reset");
    expect(json.error.details.actorName).toMatch(/Agent/);
    expect(new Date(json.error.details.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe("GET /api/tickets/{ref}", () => {
  it("lists the resets and notes of a ticket, oldest first, whichever way the ticket is written", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const { ticketId } = await openTicket();
    expect((await post(agent, account.id, body({ ticket: ticketId }))).status).toBe(201);

    for (const ref of [ticketId, `#${ticketId}`, ticketUrl(ticketId)]) {
      const response = await viewer.fetch(`/api/tickets/${encodeURIComponent(ref)}`);
      expect(response.status).toBe(200);
      const json = (await response.json()) as {
        ticket: { url: string };
        entries: { type: string; note?: { kind?: string; body: string } }[];
      };
      expect(json.ticket.url).toBe(ticketUrl(ticketId));
      expect(json.entries.map((e) => e.note?.kind ?? e.type)).toEqual(["reset", "scopes_before", "scopes_after", "admin_note"]);
    }
  });

  it("answers a malformed ticket reference with 400", async () => {
    const response = await agent.fetch(`/api/tickets/${encodeURIComponent("https://evil.example/agent/tickets/1")}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "bad_request" } });
  });
});
