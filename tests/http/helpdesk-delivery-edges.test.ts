import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ticketGoneMessage } from "@/lib/helpdesk/delivery-messages";
import { REPLY_STALE_MESSAGE } from "@/lib/helpdesk/reply-still-true";
import type { ZendeskClient } from "@/lib/helpdesk/zendesk-client";
import { stopBoss } from "@/lib/jobs/boss";
import { getDb } from "@/lib/platform/db";
import { createApiKey, PRE_CUTOFF_SCOPES } from "../support/factories";
import {
  clearFaults,
  deliveriesOf,
  deliveryClient,
  driveJob,
  fault,
  json,
  markerCounts,
  replyDraft,
  resetForNewTicket,
  runJob,
  sendReply,
  type Job,
} from "../support/delivery-harness";
import { signIn, type HttpSession } from "../support/http-session";

/**
 * The delivery's edge cases a review found (decision 042), against the built
 * app and the development Zendesk: a 404 for the comments after a post that
 * may have landed, a 409 on the post, and a reply whose facts changed after
 * the agent pressed Send.
 */
const db = getDb();
let agent: HttpSession;
let client: ZendeskClient;

beforeAll(async () => {
  agent = await signIn("agent@scopedesk.test");
  client = deliveryClient();
});
afterEach(clearFaults);
afterAll(stopBoss);

async function expectOnceAndDelivered(job: Job, ticketId: string): Promise<void> {
  const counts = await markerCounts(client, ticketId);
  for (const row of await deliveriesOf(job)) {
    expect(counts.get(row.marker), row.kind).toBe(1);
    expect(row.status, `${row.kind}: ${row.lastError}`).toBe("delivered");
  }
}

describe("a 404 for the ticket's comments after the post may have landed", () => {
  it("is confirmed by reading the ticket: still there, the delivery tries again, finds its note and posts nothing twice", async () => {
    const { resetId, ticketId } = await resetForNewTicket(agent);
    await fault({ status: 500, apply: true, method: "PUT", paths: `/api/v2/tickets/${ticketId}`, times: 1 });
    await fault({ status: 404, method: "GET", paths: `/api/v2/tickets/${ticketId}/comments`, times: 1 });
    const job: Job = { kind: "notes", resetId };
    const tries = await driveJob(job, client);
    expect(tries[0]).toBe("threw");
    await expectOnceAndDelivered(job, ticketId);
    expect(await db.helpdeskDelivery.count({ where: { resetId, status: "dead" } })).toBe(0);
  });

  it("with the ticket gone too, is dead saying the note may have reached it, and a retry once it is back finds it", async () => {
    const { resetId, ticketId } = await resetForNewTicket(agent);
    await fault({ status: 500, apply: true, method: "PUT", paths: `/api/v2/tickets/${ticketId}`, times: 1 });
    // The ticket and its comments answer 404 (as for a deleted ticket), until it is restored.
    await fault({ status: 404, method: "GET", paths: `/api/v2/tickets/${ticketId}`, times: 20 });
    const job: Job = { kind: "notes", resetId };
    expect(await runJob(job, client).catch(() => ["threw"])).toEqual(["threw"]);
    expect(await runJob(job, client)).toEqual(["dead"]);
    const [note1, note2] = await deliveriesOf(job);
    expect(note1!.lastError).toBe(ticketGoneMessage({ ticketId, kind: "scopes_before" }));
    expect(note1!.lastError).not.toMatch(/copy/i);
    expect(note2!.status).toBe("dead");

    await clearFaults();
    const retry = await agent.fetch(`/api/helpdesk-deliveries/${note1!.id}/retry`, json({}));
    expect(retry.status).toBe(200);
    await driveJob(job, client);
    await expectOnceAndDelivered(job, ticketId);
  });
});

describe("a 409 on the post (another update of the ticket at the same moment)", () => {
  it.each([
    ["not applied", false],
    ["applied", true],
  ])("%s: is tried again after a search, not given up, and lands once", async (_, apply) => {
    const { resetId, ticketId } = await resetForNewTicket(agent);
    await fault({ status: 409, apply, method: "PUT", paths: `/api/v2/tickets/${ticketId}`, times: 1 });
    const job: Job = { kind: "notes", resetId };
    const tries = await driveJob(job, client);
    expect(tries[0]).toBe("threw");
    await expectOnceAndDelivered(job, ticketId);
  });
});

describe("a customer reply is true when posted, not only when Send was pressed", () => {
  it("is not posted when a key it names was deleted while it waited, and says to redraft; the redraft goes", async () => {
    const { resetId, ticketId, accountId } = await resetForNewTicket(agent);
    const second = await createApiKey(accountId, { name: "second old key", scopes: PRE_CUTOFF_SCOPES });
    await driveJob({ kind: "notes", resetId }, client);
    const deliveryId = await sendReply(agent, resetId);
    // Rate limited first: put off, not posted.
    await fault({ status: 429, retryAfter: 7, method: "PUT", paths: `/api/v2/tickets/${ticketId}`, times: 1 });
    const job: Job = { kind: "reply", deliveryId };
    expect(await runJob(job, client)).toEqual(["deferred"]);
    // The customer deletes a key the reply names, while it waits.
    await db.apiKey.delete({ where: { id: second.id } });
    await db.helpdeskDelivery.update({ where: { id: deliveryId }, data: { notBefore: new Date() } });
    expect(await runJob(job, client)).toEqual(["dead"]);
    const row = await db.helpdeskDelivery.findUniqueOrThrow({ where: { id: deliveryId } });
    expect(row).toMatchObject({ status: "dead", lastError: REPLY_STALE_MESSAGE });
    expect((await markerCounts(client, ticketId)).get(row.marker)).toBeUndefined();
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "helpdesk.delivery_dead", targetId: resetId } });
    expect(event.details).toMatchObject({ deliveryId, stale: true, permanent: true });
    // The console shows why, on the reply it sent.
    const view = (await (await agent.fetch(`/api/scope-resets/${resetId}`)).json()) as {
      reply: { sent: { status: string; lastError: string | null } | null };
    };
    expect(view.reply.sent).toMatchObject({ status: "dead", lastError: REPLY_STALE_MESSAGE });

    // An agent's Retry now does not post it either: it is checked again.
    expect((await agent.fetch(`/api/helpdesk-deliveries/${deliveryId}/retry`, json({}))).status).toBe(200);
    expect(await runJob(job, client)).toEqual(["dead"]);
    // Redrafted from the current facts and sent again, it goes, once.
    const draft = await replyDraft(agent, resetId);
    expect(draft.text).not.toContain("second old key");
    const again = await agent.fetch(
      `/api/scope-resets/${resetId}/customer-reply`,
      json({ text: draft.text, factsFingerprint: draft.factsFingerprint, ticketStatus: null }),
    );
    expect(again.status).toBe(201);
    await driveJob(job, client);
    const sent = await db.helpdeskDelivery.findUniqueOrThrow({ where: { id: deliveryId } });
    expect(sent.status).toBe("delivered");
    expect((await markerCounts(client, ticketId)).get(sent.marker)).toBe(1);
    expect(sent.sentBody).toBe(draft.text);
  });
});
