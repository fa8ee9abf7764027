import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createZendeskClient, type ZendeskClient } from "@/lib/helpdesk/zendesk-client";
import { QUEUES } from "@/lib/jobs/queues";
import { getDb } from "@/lib/platform/db";
import { createAccount, PRE_CUTOFF_SCOPES } from "../support/factories";
import { openTicket, signIn, type HttpSession } from "../support/http-session";

/**
 * The notes reach the ticket (issue 14): a reset's two internal notes are
 * posted into the development Zendesk by `npm run worker`, once, whatever
 * happens on the way: the helpdesk down for a while, a worker killed
 * mid-request, a burst of 429s with Retry-After.
 */
const ZENDESK = process.env.DEV_ZENDESK_URL!;
const db = getDb();
let agent: HttpSession;
let zendesk: ZendeskClient;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  agent = await signIn("agent@scopedesk.test");
  zendesk = createZendeskClient({
    baseUrl: ZENDESK,
    clientId: process.env.ZENDESK_CLIENT_ID!,
    clientSecret: process.env.ZENDESK_CLIENT_SECRET!,
    maxRetries: 0,
  });
});

afterEach(async () => {
  await fetch(`${ZENDESK}/__dev/faults`, { method: "DELETE" });
  for (const worker of workers.splice(0)) kill(worker);
});

/** `npm run worker`, as its own process group (so killing it kills it, not a wrapper). */
function startWorker(args: string[] = []): ChildProcess {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts", ...args], {
    env: process.env,
    stdio: "ignore",
    detached: true,
  });
  workers.push(child);
  return child;
}

/** As `kill -9` would: no graceful stop, nothing recorded. */
function kill(child: ChildProcess): void {
  if (child.exitCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

async function workOnce(): Promise<void> {
  const child = startWorker(["--once"]);
  const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
  expect(code).toBe(0);
}

async function fault(body: object): Promise<void> {
  const response = await fetch(`${ZENDESK}/__dev/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** A legacy account reset for a fresh ticket; the reset's id and the ticket. */
async function resetForNewTicket(): Promise<{ resetId: string; ticketId: string }> {
  const ticket = await openTicket({ requesterEmail: "ops@delivery.example" });
  const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
  const detail = (await (await agent.fetch(`/api/accounts/${account.id}`)).json()) as { resetPlan: { previewFingerprint: string } };
  const response = await agent.fetch(`/api/accounts/${account.id}/scope-resets`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ticket: ticket.url, idempotencyKey: randomUUID(), expectedFingerprint: detail.resetPlan.previewFingerprint }),
  });
  expect(response.status).toBe(201);
  return { resetId: ((await response.json()) as { reset: { id: string } }).reset.id, ticketId: ticket.ticketId };
}

const deliveries = (resetId: string) =>
  db.helpdeskDelivery.findMany({ where: { resetId, kind: { in: ["scopes_before", "scopes_after"] } }, orderBy: { kind: "asc" } });
/** The reset's notes in the ticket, found by the markers their updates carried (never shown in the text). */
const notesIn = async (ticketId: string, resetId: string) => {
  const markers = new Set((await deliveries(resetId)).map((d) => d.marker));
  return (await zendesk.listComments(ticketId)).filter((c) => c.marker !== null && markers.has(c.marker));
};

describe("delivering a reset's notes into the ticket", () => {
  it("posts note 1 then note 2 as internal notes, each once, and records where they landed", async () => {
    const { resetId, ticketId } = await resetForNewTicket();
    expect((await deliveries(resetId)).map((d) => d.status)).toEqual(["queued", "queued"]);
    await workOnce();
    const notes = await notesIn(ticketId, resetId);
    expect(notes).toHaveLength(2);
    expect(notes.map((n) => n.public)).toEqual([false, false]);
    expect(notes[0]!.body).toMatch(/^Scopes BEFORE reset — /);
    expect(notes[1]!.body).toMatch(/^Scopes AFTER reset — /);
    // The marker travels in the update's metadata, never in the text.
    for (const note of notes) expect(note.body).not.toContain("scopedesk-delivery:");
    const rows = await deliveries(resetId);
    expect(rows.map((d) => [d.kind, d.status, String(d.zendeskCommentId)])).toEqual([
      ["scopes_before", "delivered", String(notes[0]!.id)],
      ["scopes_after", "delivered", String(notes[1]!.id)],
    ]);
    const view = (await (await agent.fetch(`/api/scope-resets/${resetId}`)).json()) as { deliveries: { status: string }[] };
    expect(view.deliveries.map((d) => d.status)).toEqual(["delivered", "delivered"]);
    // The ticket page shows them, and a second worker run posts nothing again.
    await workOnce();
    expect(await notesIn(ticketId, resetId)).toHaveLength(2);
    const events = await db.auditEvent.findMany({ where: { action: "helpdesk.note_delivered", targetId: resetId } });
    expect(events).toHaveLength(2);
  });

  it("does not block the reset while the helpdesk is down; the notes arrive once it is back, never twice", async () => {
    // Everything the helpdesk is asked fails, the ticket read of the reset included.
    await fault({ status: 503, times: 1000 });
    const { resetId, ticketId } = await resetForNewTicket();
    expect((await db.scopeReset.findUniqueOrThrow({ where: { id: resetId } })).ticketVerified).toBe(false);
    startWorker();
    await waitFor(
      "a failed try",
      () => deliveries(resetId),
      (rows) => rows.some((r) => r.attempts > 0 || r.status === "retrying"),
    );
    await fetch(`${ZENDESK}/__dev/faults`, { method: "DELETE" });
    const rows = await waitFor(
      "both notes delivered",
      () => deliveries(resetId),
      (r) => r.every((d) => d.status === "delivered"),
      90_000,
    );
    expect(rows).toHaveLength(2);
    expect(await notesIn(ticketId, resetId)).toHaveLength(2);
  }, 120_000);

  it("leaves no duplicate when a worker is killed after posting and before recording it", async () => {
    const { resetId, ticketId } = await resetForNewTicket();
    // pg-boss's least heartbeat (10 s) and a quick retry for this job only, so the takeover takes seconds.
    await db.$executeRaw`UPDATE pgboss.job SET heartbeat_seconds = 10, retry_delay = 1, retry_backoff = false WHERE name = ${QUEUES.deliverResetNotes} AND data->>'resetId' = ${resetId}`;
    // Zendesk takes the first note, then the answer never comes back.
    await fault({ method: "PUT", apply: true, hang: true, times: 1 });
    const first = startWorker();
    await waitFor(
      "note 1 in the ticket",
      () => notesIn(ticketId, resetId),
      (n) => n.length === 1,
    );
    kill(first);
    startWorker();
    const rows = await waitFor(
      "both notes delivered",
      () => deliveries(resetId),
      (r) => r.every((d) => d.status === "delivered"),
      90_000,
    );
    const notes = await notesIn(ticketId, resetId);
    expect(notes).toHaveLength(2);
    expect(String(rows[0]!.zendeskCommentId)).toBe(String(notes[0]!.id));
    const recovered = await db.auditEvent.findFirstOrThrow({
      where: { action: "helpdesk.note_delivered", targetId: resetId, details: { path: ["kind"], equals: "scopes_before" } },
    });
    expect(recovered.details).toMatchObject({ recovered: true });
  }, 120_000);

  it("honours Retry-After on a burst of 429s", async () => {
    const { resetId, ticketId } = await resetForNewTicket();
    await fault({ status: 429, retryAfter: 2, times: 3, method: "PUT" });
    const started = Date.now();
    startWorker();
    await waitFor(
      "both notes delivered",
      () => deliveries(resetId),
      (r) => r.every((d) => d.status === "delivered"),
      90_000,
    );
    // Three refusals, each asking for 2 s: the worker cannot have posted in less.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 2000);
    expect(await notesIn(ticketId, resetId)).toHaveLength(2);
  }, 120_000);
});

describe("sending the customer reply", () => {
  it("posts the agent's edited reply as a public comment only when asked, and only once", async () => {
    const { resetId, ticketId } = await resetForNewTicket();
    await workOnce();
    const replies = async () => (await zendesk.listComments(ticketId)).filter((c) => c.public && c.authorId !== null && c.marker !== null);
    expect(await replies()).toHaveLength(0);
    const view = (await (await agent.fetch(`/api/scope-resets/${resetId}`)).json()) as { reply: { draft: { factsFingerprint: string } } };
    const send = (text: string) =>
      agent.fetch(`/api/scope-resets/${resetId}/customer-reply`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text, factsFingerprint: view.reply.draft.factsFingerprint }),
      });
    expect((await send("Hello,\n\nyour erase-job scopes are enabled.\n\nBest, Support")).status).toBe(201);
    expect((await send("again")).status).toBe(409);
    await workOnce();
    const sent = await replies();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ public: true, body: expect.stringMatching(/^Hello,\s+your erase-job scopes are enabled\./) });
    // No marker, id or tool name for the customer to see.
    expect(sent[0]!.body).not.toMatch(/scopedesk|reference|[0-9a-f]{8}-[0-9a-f]{4}-/i);
    expect(
      await db.auditEvent.count({ where: { action: { in: ["helpdesk.reply_requested", "helpdesk.reply_delivered"] }, targetId: resetId } }),
    ).toBe(2);
  });

  it("refuses a viewer, an empty reply and a failed reset's reply", async () => {
    const { resetId } = await resetForNewTicket();
    const viewer = await signIn("viewer@scopedesk.test");
    const body = JSON.stringify({ text: "hi", factsFingerprint: "a".repeat(64) });
    expect(
      (
        await viewer.fetch(`/api/scope-resets/${resetId}/customer-reply`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await agent.fetch(`/api/scope-resets/${resetId}/customer-reply`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ text: "  ", factsFingerprint: "a".repeat(64) }),
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await agent.fetch(`/api/scope-resets/${randomUUID()}/customer-reply`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        })
      ).status,
    ).toBe(404);
  });
});

describe("the ticket in context", () => {
  it("shows the helpdesk's subject, status, requester and organization, and the account it is about", async () => {
    const response = await agent.fetch("/api/tickets/4242");
    expect(response.status).toBe(200);
    const view = (await response.json()) as {
      helpdesk: { state: string; ticket: { subject: string; requester: { email: string }; organization: { name: string } } };
      suggestions: { id: number }[];
    };
    expect(view.helpdesk).toMatchObject({
      state: "verified",
      ticket: { requester: { email: "ops@acme-legacy.example" }, organization: { name: "Acme Legacy Ltd" } },
    });
    expect(view.suggestions.map((s) => s.id)).toEqual([100001]);
  });

  it("refuses a reset for a ticket the helpdesk does not have", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const detail = (await (await agent.fetch(`/api/accounts/${account.id}`)).json()) as { resetPlan: { previewFingerprint: string } };
    const response = await agent.fetch(`/api/accounts/${account.id}/scope-resets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ticket: "#987654321",
        idempotencyKey: randomUUID(),
        expectedFingerprint: detail.resetPlan.previewFingerprint,
      }),
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: "ticket_not_found" } });
    expect(await db.scopeReset.count({ where: { accountId: account.id } })).toBe(0);
  });
});
