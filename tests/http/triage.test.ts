import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createZendeskClient, type ZendeskClient } from "@/lib/helpdesk/zendesk-client";
import { getDb } from "@/lib/platform/db";
import { triageMarker } from "@/lib/triage/triage-note";
import { createAccount, createApiKey, PRE_CUTOFF_SCOPES } from "../support/factories";
import { anonymousFetch, signIn, type HttpSession } from "../support/http-session";
import { DEV_ZENDESK_URL, fireWebhook, newTicket, signedWebhook, waitFor, WEBHOOK_SECRET } from "../support/zendesk-app";

/**
 * Triage on arrival against the production build (decision 031): the
 * webhook is verified (signature, age, replay) before anything is written; a
 * new ticket gets one internal note from the worker, however often Zendesk
 * fires; the console lists it by state.
 */
const db = getDb();
let zendesk: ZendeskClient;
let viewer: HttpSession;

beforeAll(async () => {
  viewer = await signIn("viewer@scopedesk.test");
  zendesk = createZendeskClient({
    baseUrl: DEV_ZENDESK_URL,
    clientId: process.env.ZENDESK_CLIENT_ID!,
    clientSecret: process.env.ZENDESK_CLIENT_SECRET!,
    maxRetries: 0,
  });
});

// Nothing of this file's is left queued for another file's worker.
afterAll(async () => {
  await settledFirings();
  await workOnce();
});

/** `npm run worker -- --once`: works what is queued, then exits. */
async function workOnce(): Promise<void> {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts", "--once"], {
    env: process.env,
    stdio: "ignore",
  });
  expect(await new Promise<number>((resolve) => child.on("exit", (code) => resolve(code ?? 1)))).toBe(0);
}

async function settledFirings(): Promise<void> {
  await waitFor(
    "the development Zendesk's webhooks answered",
    async () =>
      ((await (await fetch(`${DEV_ZENDESK_URL}/__dev/webhooks`)).json()) as { firings: { status: number | null; error: string | null }[] })
        .firings,
    (firings) => firings.every((f) => f.status !== null || f.error !== null),
  );
}

const post = (request: { body: string; headers: Record<string, string> }) =>
  anonymousFetch("/api/zendesk-app/webhook", { method: "POST", headers: request.headers, body: request.body });
const notesIn = async (ticketId: string) => (await zendesk.listComments(ticketId)).filter((c) => c.body.includes(triageMarker(ticketId)));

describe("the triage webhook", () => {
  it("accepts a request signed with the webhook's secret, once: the same request again is a replay", async () => {
    const ticketId = await newTicket({ requesterEmail: `someone-${randomUUID()}@triage.example` });
    const request = signedWebhook({ ticketId });
    const first = await post(request);
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ ticketId, status: "queued" });
    const replay = await post(request);
    expect(replay.status).toBe(409);
    expect(((await replay.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe("replayed");
    // The same signature spelled another way (base64's unused trailing bits changed) is no new request either.
    const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const signature = request.headers["x-zendesk-webhook-signature"]!;
    const respelled = `${signature.slice(0, -2)}${ALPHABET[ALPHABET.indexOf(signature.at(-2)!) ^ 1]}=`;
    const sneaky = await post({ ...request, headers: { ...request.headers, "x-zendesk-webhook-signature": respelled } });
    expect(sneaky.status).toBe(401);
    expect(((await sneaky.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe("malformed_signature");
    // Another request for the same ticket (signed on its own) is counted, not triaged again.
    const second = await post(signedWebhook({ ticketId }));
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ ticketId, status: "already_triaged" });
    expect((await db.ticketTriage.findUniqueOrThrow({ where: { ticketId } })).webhooksReceived).toBe(2);
  });

  it("refuses a tampered body, another secret, an old or future timestamp, a missing signature (401), and writes nothing", async () => {
    const ticketId = await newTicket({ requesterEmail: `someone-${randomUUID()}@triage.example` });
    const genuine = signedWebhook({ ticketId });
    const old = new Date(Date.now() - 6 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const future = new Date(Date.now() + 3 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const cases: [string, { body: string; headers: Record<string, string> }, string][] = [
      ["a tampered body", { ...genuine, body: genuine.body.replace(ticketId, "4242") }, "bad_signature"],
      [
        "Zendesk's published test secret",
        signedWebhook({ ticketId, secret: "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==" }),
        "bad_signature",
      ],
      ["a timestamp six minutes old", signedWebhook({ ticketId, timestamp: old }), "stale"],
      ["a timestamp three minutes ahead", signedWebhook({ ticketId, timestamp: future }), "future"],
      ["no signature", { body: genuine.body, headers: { "content-type": "application/json" } }, "missing_signature"],
    ];
    for (const [what, request, reason] of cases) {
      const response = await post(request);
      expect(response.status, what).toBe(401);
      expect(((await response.json()) as { error: { details: { reason: string } } }).error.details.reason, what).toBe(reason);
    }
    expect(await db.ticketTriage.count({ where: { ticketId } })).toBe(0);
  });

  it("refuses what is not a ticket webhook, a body over 64 KiB and other methods, with a clear 4xx", async () => {
    expect((await post(signedWebhook({ body: JSON.stringify({ hello: "world" }) }))).status).toBe(400);
    expect((await post(signedWebhook({ body: "not json" }))).status).toBe(400);
    expect((await post(signedWebhook({ body: JSON.stringify({ ticket_id: "\u0000" }) }))).status).toBe(400);
    const big = await post(signedWebhook({ body: JSON.stringify({ ticket_id: "1", padding: "x".repeat(70_000) }) }));
    expect(big.status).toBe(413);
    const get = await anonymousFetch("/api/zendesk-app/webhook");
    expect(get.status).toBe(405);
    expect(WEBHOOK_SECRET.length).toBeGreaterThanOrEqual(32);
  });
});

describe("a ticket triaged on arrival", () => {
  it("gets its one internal note from the worker, even when Zendesk fires the webhook again, twice at once", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    await createApiKey(account.id, { name: "production key", scopes: PRE_CUTOFF_SCOPES });
    // Opened with the trigger's tag: the development Zendesk fires the webhook by itself.
    const ticketId = await newTicket({ requesterEmail: account.email, triage: true });
    await waitFor(
      "the triage row",
      () => db.ticketTriage.findUnique({ where: { ticketId } }),
      (row) => row !== null,
    );
    const again = await fireWebhook(ticketId, { times: 2, concurrent: true });
    expect(again.map((f) => f.status).sort()).toEqual([200, 200]);
    await workOnce();
    await workOnce();
    const notes = await notesIn(ticketId);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.public).toBe(false);
    expect(notes[0]!.body).toContain(`Account: ${account.username} (#${account.id})`);
    expect(notes[0]!.body).toContain("Verdict: Erase-job scopes missing: reset needed");
    const row = await db.ticketTriage.findUniqueOrThrow({ where: { ticketId } });
    expect(row).toMatchObject({ state: "needs_reset", noteStatus: "delivered", webhooksReceived: 3, accountId: account.id });

    // The console's list: the ticket under "needs reset", linking to its ticket page; every role may read it.
    const list = await viewer.fetch("/api/triage?state=needs_reset&limit=200");
    expect(list.status).toBe(200);
    const page = (await list.json()) as {
      items: { ticketId: string; ticketPath: string; state: string; note: { status: string } }[];
      counts: Record<string, number>;
    };
    expect(page.items.find((t) => t.ticketId === ticketId)).toMatchObject({
      ticketPath: `/tickets/${ticketId}`,
      state: "needs_reset",
      note: { status: "delivered" },
    });
    expect(page.counts.needs_reset).toBeGreaterThanOrEqual(1);
    const html = await (await viewer.fetch("/triage?state=needs_reset")).text();
    expect(html).toContain(`href="/tickets/${ticketId}"`);
  });

  it("lists by state with keyset pages, and refuses a bad state, limit or cursor with a 400 naming it", async () => {
    const first = (await (await viewer.fetch("/api/triage?limit=1")).json()) as {
      items: { ticketId: string }[];
      nextCursor: string | null;
    };
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const next = (await (await viewer.fetch(`/api/triage?limit=1&cursor=${first.nextCursor}`)).json()) as { items: { ticketId: string }[] };
    expect(next.items[0]?.ticketId).not.toBe(first.items[0]!.ticketId);
    for (const [query, message] of [
      ["state=everything", /state must be one of/],
      ["limit=0", /limit must be a whole number/],
      [`state=anomaly&cursor=${first.nextCursor}`, /another state/],
      ["cursor=%00", /NUL|cursor/],
      ["other=1", /other|Unrecognized|unknown/i],
    ] as const) {
      const response = await viewer.fetch(`/api/triage?${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message, query).toMatch(message);
    }
    expect((await anonymousFetch("/api/triage")).status).toBe(401);
  });
});
