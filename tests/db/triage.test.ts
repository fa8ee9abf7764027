import { createHash, randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createZendeskClient, type ZendeskClient } from "@/lib/helpdesk/zendesk-client";
import { QUEUES } from "@/lib/jobs/queues";
import { getDb } from "@/lib/platform/db";
import { acceptTriageWebhook } from "@/lib/triage/accept-triage-webhook";
import { runTicketTriage } from "@/lib/triage/run-ticket-triage";
import { ensureTriageDelivery } from "@/lib/triage/triage-delivery";
import { triageMarker } from "@/lib/triage/triage-note";
import { createAccount, createApiKey, PRE_CUTOFF_SCOPES } from "../support/factories";
import { DEV_ZENDESK_URL, newTicket } from "../support/zendesk-app";

/**
 * Triage on arrival (decision 031), against the test database and the
 * development Zendesk: one job per ticket however often (and however
 * concurrently) the webhook comes, one internal note whatever fails on the
 * way, and no account changed.
 */
const db = getDb();
let zendesk: ZendeskClient;

beforeAll(() => {
  zendesk = createZendeskClient({
    baseUrl: DEV_ZENDESK_URL,
    clientId: process.env.ZENDESK_CLIENT_ID!,
    clientSecret: process.env.ZENDESK_CLIENT_SECRET!,
    maxRetries: 0,
  });
});

afterEach(async () => {
  await fetch(`${DEV_ZENDESK_URL}/__dev/faults`, { method: "DELETE" });
});

const signature = () =>
  Buffer.from(randomUUID() + randomUUID())
    .toString("base64")
    .slice(0, 43) + "=";
const accept = (ticketId: string, sig = signature()) =>
  acceptTriageWebhook({ ticketId, replayKey: createHash("sha256").update(Buffer.from(sig, "base64")).digest("hex"), signedAt: new Date() });
const jobsFor = (ticketId: string) =>
  db.$queryRaw<{ id: string }[]>`SELECT id::text FROM pgboss.job WHERE name = ${QUEUES.triageTicket} AND data->>'ticketId' = ${ticketId}`;
const notesIn = async (ticketId: string) => (await zendesk.listComments(ticketId)).filter((c) => c.body.includes(triageMarker(ticketId)));
const squeeze = (text: string) => text.replace(/\s+/g, " ").trim();
const triageDelivery = (ticketId: string) => db.helpdeskDelivery.findUniqueOrThrow({ where: { marker: triageMarker(ticketId) } });
const run = (ticketId: string, finalAttempt = false) => runTicketTriage(ticketId, zendesk, { finalAttempt, jobId: randomUUID() });

async function legacyCustomerWithTicket() {
  const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
  await createApiKey(account.id, { name: "production key", scopes: PRE_CUTOFF_SCOPES });
  const ticketId = await newTicket({ requesterEmail: account.email });
  return { account, ticketId };
}

describe("accepting the triage webhook", () => {
  it("queues one job per ticket, however often and concurrently the webhook comes, and refuses a replay", async () => {
    const ticketId = await newTicket({ requesterEmail: "someone@triage.example" });
    const first = signature();
    const outcomes = await Promise.all([accept(ticketId, first), accept(ticketId), accept(ticketId)]);
    expect(outcomes.sort()).toEqual(["already_triaged", "already_triaged", "queued"]);
    expect(await accept(ticketId, first)).toBe("replayed");
    expect(await jobsFor(ticketId)).toHaveLength(1);
    const row = await db.ticketTriage.findUniqueOrThrow({ where: { ticketId } });
    expect(row).toMatchObject({ state: "pending", noteStatus: "pending", webhooksReceived: 3, noteMarker: triageMarker(ticketId) });
    expect(row.ticketUrl).toBe(`${DEV_ZENDESK_URL}/agent/tickets/${ticketId}`);
  });

  it("refuses a ticket id that is not one, and writes nothing", async () => {
    await expect(accept("0")).rejects.toThrow(/not a ticket number/);
    await expect(accept("12ab")).rejects.toThrow(/not a ticket number/);
    expect(await db.ticketTriage.count({ where: { ticketId: { in: ["0", "12ab"] } } })).toBe(0);
  });
});

describe("triaging a ticket", () => {
  it("posts one internal note with the account, the verdict and what a reset would do, and changes no account", async () => {
    const { account, ticketId } = await legacyCustomerWithTicket();
    await accept(ticketId);
    const before = await db.account.findUniqueOrThrow({ where: { id: account.id } });
    expect(await run(ticketId)).toBe("delivered");
    const notes = await notesIn(ticketId);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.public).toBe(false);
    expect(notes[0]!.body).toContain(`Account: ${account.username} (#${account.id})`);
    expect(notes[0]!.body).toContain("Verdict: Erase-job scopes missing: reset needed");
    expect(notes[0]!.body).toContain("recipients.erasejob.create, recipients.erasejob.read");
    expect(notes[0]!.body).toContain('"production key"');
    expect(notes[0]!.body).toContain(`${process.env.AUTH_URL}/tickets/${ticketId}`);
    const row = await db.ticketTriage.findUniqueOrThrow({ where: { ticketId } });
    expect(row).toMatchObject({ state: "needs_reset", noteStatus: "delivered", accountId: account.id, matchedAccounts: 1 });
    expect(String(row.zendeskCommentId)).toBe(String(notes[0]!.id));
    // Tagged with its verdict in the same update (TRIAGE_TAGS, on by default).
    expect((await zendesk.getTicket(ticketId)).tags).toEqual(["scopedesk-ready"]);
    // Sent as escaped HTML (decision 042): Zendesk's text of it is the note's, but for spacing.
    expect(squeeze(notes[0]!.body)).toBe(squeeze(row.noteBody!));
    const after = await db.account.findUniqueOrThrow({ where: { id: account.id } });
    expect(after.scopeSetId).toBe(before.scopeSetId);
    expect(after.scopesUpdatedAt).toEqual(before.scopesUpdatedAt);
    // Again (a retried job, a second worker): nothing more.
    expect(await run(ticketId)).toBe("already_delivered");
    expect(await Promise.all([run(ticketId), run(ticketId)])).toEqual(["already_delivered", "already_delivered"]);
    expect(await notesIn(ticketId)).toHaveLength(1);
    const events = await db.auditEvent.findMany({ where: { action: "triage.note_delivered", targetId: ticketId } });
    expect(events).toHaveLength(1);
  });

  it("posts once when two workers run the same ticket at once: the second finds it taken and looks again later", async () => {
    const { ticketId } = await legacyCustomerWithTicket();
    await accept(ticketId);
    const outcomes = await Promise.allSettled([run(ticketId), run(ticketId)]);
    const names = outcomes.map((o) => (o.status === "fulfilled" ? o.value : (o.reason as Error).name)).sort();
    // The second either found the lease taken (a job then, without using up a try) or came after the note was in.
    expect([
      ["deferred", "delivered"],
      ["already_delivered", "delivered"],
    ]).toContainEqual(names);
    expect(await run(ticketId)).toBe("already_delivered");
    expect(await notesIn(ticketId)).toHaveLength(1);
    expect((await triageDelivery(ticketId)).leaseUntil).toBeNull();
  });

  it("is not stuck behind a worker that died holding the note's delivery: its lease runs out", async () => {
    const { ticketId } = await legacyCustomerWithTicket();
    await accept(ticketId);
    const deliveryId = await ensureTriageDelivery({ ticketId, noteMarker: triageMarker(ticketId) });
    await db.$executeRaw`UPDATE helpdesk_delivery SET lease_until = now() + interval '1 minute', lease_token = gen_random_uuid() WHERE id = ${deliveryId}::uuid`;
    expect(await run(ticketId)).toBe("deferred");
    expect(await jobsFor(ticketId)).toHaveLength(2);
    await db.$executeRaw`UPDATE helpdesk_delivery SET lease_until = now() - interval '1 second' WHERE id = ${deliveryId}::uuid`;
    expect(await run(ticketId)).toBe("delivered");
    expect(await notesIn(ticketId)).toHaveLength(1);
  });

  it("after an answer lost once the note was added, finds it instead of posting a second one", async () => {
    const { ticketId } = await legacyCustomerWithTicket();
    await accept(ticketId);
    await fetch(`${DEV_ZENDESK_URL}/__dev/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: 500, apply: true, method: "PUT", paths: `/tickets/${ticketId}`, times: 1 }),
    });
    await expect(run(ticketId)).rejects.toThrow();
    const row = await db.ticketTriage.findUniqueOrThrow({ where: { ticketId } });
    expect(row.noteInFlightSince).not.toBeNull();
    expect((await triageDelivery(ticketId)).inFlightSince).not.toBeNull();
    expect(await notesIn(ticketId)).toHaveLength(1);
    expect(await run(ticketId)).toBe("recovered");
    expect(await notesIn(ticketId)).toHaveLength(1);
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "triage.note_delivered", targetId: ticketId } });
    expect(event.details).toMatchObject({ recovered: true });
  });

  it("searches first for a note an earlier version may have posted (note_in_flight_since), and posts none twice", async () => {
    const { ticketId } = await legacyCustomerWithTicket();
    await accept(ticketId);
    await zendesk.addComment(ticketId, {
      body: `An earlier triage note\n\n${triageMarker(ticketId)}`,
      public: false,
      marker: triageMarker(ticketId),
    });
    await db.ticketTriage.update({ where: { ticketId }, data: { noteInFlightSince: new Date() } });
    expect(await run(ticketId)).toBe("recovered");
    expect(await notesIn(ticketId)).toHaveLength(1);
    expect((await db.ticketTriage.findUniqueOrThrow({ where: { ticketId } })).noteStatus).toBe("delivered");
  });

  it("says no account matched, and marks a ticket Zendesk does not have", async () => {
    const ticketId = await newTicket({ requesterEmail: `nobody-${randomUUID()}@triage.example` });
    await accept(ticketId);
    expect(await run(ticketId)).toBe("delivered");
    expect((await notesIn(ticketId))[0]!.body).toContain("No account or subuser has the requester's e-mail address.");
    expect(await db.ticketTriage.findUniqueOrThrow({ where: { ticketId } })).toMatchObject({ state: "no_account", accountId: null });
    expect((await zendesk.getTicket(ticketId)).tags).toEqual([]);

    await accept("999999901");
    expect(await run("999999901")).toBe("ticket_not_found");
    expect(await db.ticketTriage.findUniqueOrThrow({ where: { ticketId: "999999901" } })).toMatchObject({
      state: "ticket_not_found",
      noteStatus: "not_posted",
    });
  });

  it("keeps the ticket's own tags: an update that collides with another (409) is tried again after a search", async () => {
    const account = await createAccount({ scopes: [...PRE_CUTOFF_SCOPES, "recipients.erasejob.create", "recipients.erasejob.read"] });
    const ticketId = await newTicket({ requesterEmail: account.email, tags: ["vip"] });
    await accept(ticketId);
    await fetch(`${DEV_ZENDESK_URL}/__dev/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: 409, method: "PUT", paths: `/tickets/${ticketId}`, times: 1 }),
    });
    await expect(run(ticketId)).rejects.toThrow(/409/);
    expect((await db.ticketTriage.findUniqueOrThrow({ where: { ticketId } })).noteStatus).toBe("pending");
    expect(await run(ticketId)).toBe("delivered");
    expect(await notesIn(ticketId)).toHaveLength(1);
    const ticket = await zendesk.getTicket(ticketId);
    expect(ticket.tags).toEqual(["vip", "scopedesk-nothing-to-do"]);
  });

  it("stores a subject and requester name with a NUL or a lone surrogate (as Zendesk's JSON may carry them) cleaned, and posts", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const response = await fetch(`${DEV_ZENDESK_URL}/__dev/tickets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      // Escapes as JSON carries them: the development Zendesk keeps and answers them as they are.
      body: `{"requesterEmail":${JSON.stringify(account.email)},"subject":"Refund\\u0000 please \\ud800","requesterName":"Ann\\u0000 Lee \\udc00"}`,
    });
    expect(response.status).toBe(201);
    const ticketId = String(((await response.json()) as { id: number }).id);
    expect((await zendesk.getTicket(ticketId)).subject).toBe("Refund\u0000 please \ud800");
    await accept(ticketId);
    expect(await run(ticketId)).toBe("delivered");
    const row = await db.ticketTriage.findUniqueOrThrow({ where: { ticketId } });
    expect(row).toMatchObject({ subject: "Refund please \ufffd", noteStatus: "delivered", lastError: null, accountId: account.id });
    const notes = await notesIn(ticketId);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(`Requester: Ann Lee \ufffd <${account.email}>`);
  });

  it("retries a helpdesk that does not answer, and on the last try leaves the note dead with an audit event", async () => {
    const { ticketId } = await legacyCustomerWithTicket();
    await accept(ticketId);
    await fetch(`${DEV_ZENDESK_URL}/__dev/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: 503, paths: `/tickets/${ticketId}`, times: 4 }),
    });
    await expect(run(ticketId)).rejects.toThrow(/503/);
    expect((await db.ticketTriage.findUniqueOrThrow({ where: { ticketId } })).noteStatus).toBe("pending");
    expect(await run(ticketId, true)).toBe("dead");
    expect(await db.ticketTriage.findUniqueOrThrow({ where: { ticketId } })).toMatchObject({ noteStatus: "dead", noteInFlightSince: null });
    expect(await db.auditEvent.count({ where: { action: "triage.note_dead", targetId: ticketId } })).toBe(1);
    await fetch(`${DEV_ZENDESK_URL}/__dev/faults`, { method: "DELETE" });
    expect(await notesIn(ticketId)).toHaveLength(0);
  });
});
