import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { deliverHelpdeskComment, type DeliveryOutcome } from "@/lib/helpdesk/deliver-helpdesk-comment";
import { deliverResetNotes } from "@/lib/helpdesk/deliver-reset-notes";
import { WORKER_CLIENT_LIMITS } from "@/lib/helpdesk/get-zendesk";
import { createZendeskClient, type ZendeskClient } from "@/lib/helpdesk/zendesk-client";
import { getDb } from "@/lib/platform/db";
import { runTicketTriage, type TriageOutcome } from "@/lib/triage/run-ticket-triage";
import { triageMarker } from "@/lib/triage/triage-note";
import { createAccount, createApiKey, PRE_CUTOFF_SCOPES } from "./factories";
import { openTicket, type HttpSession } from "./http-session";
import { expectZendeskAnswer, expectZendeskRequest } from "./zendesk-contract";

/**
 * What the delivery tests share: resets and replies made through the built
 * app's API (as the console makes them), the development Zendesk the app is
 * configured with (its faults, its comments), and the worker's delivery
 * functions driven try by try, as pg-boss would run the job (a failed try is
 * retried, a deferred one starts again at its not_before), without pg-boss's
 * backoff waits.
 */
export const ZENDESK = process.env.DEV_ZENDESK_URL!;
const db = getDb();

/**
 * A client as the worker's, with a short timeout (a hung answer costs 1.5 s),
 * a short in-place wait (a Retry-After of 2 s is "above the client's wait")
 * and no repeat in place: a write the development Zendesk applied and then
 * answered 429 would be posted again by an in-place retry, before any search
 * could find it, so exactly-once needs every repeat to go through the
 * delivery (which searches first). Every request it sends and every answer it
 * gets is checked against Zendesk's description.
 */
export function deliveryClient(): ZendeskClient {
  const checkedFetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = new Headers(init?.headers);
    const operationId = await expectZendeskRequest({ method: init?.method ?? "GET", url, headers, body: init?.body as string | undefined });
    const response = await fetch(input, init);
    const text = await response.clone().text();
    await expectZendeskAnswer(operationId, {
      status: response.status,
      headers: response.headers,
      body: text === "" ? undefined : JSON.parse(text),
    });
    return response;
  };
  return createZendeskClient({
    baseUrl: ZENDESK,
    clientId: process.env.ZENDESK_CLIENT_ID!,
    clientSecret: process.env.ZENDESK_CLIENT_SECRET!,
    // The worker's own retry rules; only the waits are shorter, so hung answers and long Retry-Afters end the test sooner.
    ...WORKER_CLIENT_LIMITS,
    timeoutMs: 1500,
    maxRetryWaitMs: 1000,
    fetch: checkedFetch,
  });
}

/** A fault for the development Zendesk's next matching request (scripts/dev-zendesk/faults.ts). */
export async function fault(body: object): Promise<void> {
  const response = await fetch(`${ZENDESK}/__dev/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
}

export async function clearFaults(): Promise<void> {
  await fetch(`${ZENDESK}/__dev/faults`, { method: "DELETE" });
}

export const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** A legacy account (with one old key) reset through the API for a fresh ticket in the development Zendesk. */
export async function resetForNewTicket(
  agent: HttpSession,
  ticketId?: string,
): Promise<{ resetId: string; ticketId: string; accountId: number }> {
  const ticket = ticketId ? { ticketId } : await openTicket({ requesterEmail: "ops@delivery.example" });
  const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
  await createApiKey(account.id, { name: "old key", scopes: PRE_CUTOFF_SCOPES });
  const detail = (await (await agent.fetch(`/api/accounts/${account.id}`)).json()) as { resetPlan: { previewFingerprint: string } };
  const response = await agent.fetch(
    `/api/accounts/${account.id}/scope-resets`,
    json({ ticket: `#${ticket.ticketId}`, idempotencyKey: randomUUID(), expectedFingerprint: detail.resetPlan.previewFingerprint }),
  );
  expect(response.status).toBe(201);
  return { resetId: ((await response.json()) as { reset: { id: string } }).reset.id, ticketId: ticket.ticketId, accountId: account.id };
}

export interface ReplyDraft {
  text: string;
  factsFingerprint: string;
}

/** The reply of a reset as its result page drafts it now. */
export async function replyDraft(agent: HttpSession, resetId: string): Promise<ReplyDraft> {
  const view = (await (await agent.fetch(`/api/scope-resets/${resetId}`)).json()) as {
    reply: { draft: ReplyDraft | null; blocked: string | null };
  };
  expect(view.reply.blocked).toBeNull();
  return view.reply.draft!;
}

/** Sends the reset's reply through the API, as the console's button does; the delivery's id. */
export async function sendReply(
  agent: HttpSession,
  resetId: string,
  extra: { text?: string; ticketStatus?: "pending" | "solved" | null } = {},
): Promise<string> {
  const draft = await replyDraft(agent, resetId);
  const response = await agent.fetch(
    `/api/scope-resets/${resetId}/customer-reply`,
    json({ text: extra.text ?? draft.text, factsFingerprint: draft.factsFingerprint, ticketStatus: extra.ticketStatus ?? null }),
  );
  expect(response.status).toBe(201);
  return ((await response.json()) as { deliveryId: string }).deliveryId;
}

export type Job = { kind: "notes"; resetId: string } | { kind: "reply"; deliveryId: string } | { kind: "triage"; ticketId: string };

const TRIAGE_AS_DELIVERY: Record<TriageOutcome, DeliveryOutcome> = {
  delivered: "delivered",
  recovered: "recovered",
  already_delivered: "already_delivered",
  dead: "dead",
  deferred: "deferred",
  ticket_not_found: "not_posted",
  not_posted: "not_posted",
};

/** Runs a delivery job once, as the worker's handler would (never its last try). */
export async function runJob(job: Job, client: ZendeskClient): Promise<DeliveryOutcome[]> {
  const attempt = { finalAttempt: false, jobId: `test-${randomUUID()}` };
  if (job.kind === "triage") return [TRIAGE_AS_DELIVERY[await runTicketTriage(job.ticketId, client, attempt)]];
  return job.kind === "notes"
    ? deliverResetNotes(job.resetId, client, attempt)
    : [await deliverHelpdeskComment(job.deliveryId, client, attempt)];
}

const FINAL: ReadonlySet<DeliveryOutcome> = new Set(["delivered", "recovered", "already_delivered", "dead", "not_posted"]);

/**
 * Tries the job until it is done: a thrown try is retried at once, a
 * deferred one when its not_before comes. Returns every try's outcome (or
 * "threw"), so a test can say how the delivery got there.
 */
export async function driveJob(job: Job, client: ZendeskClient, maxTries = 12): Promise<string[]> {
  const tries: string[] = [];
  for (let i = 0; i < maxTries; i++) {
    let outcomes: DeliveryOutcome[];
    try {
      outcomes = await runJob(job, client);
    } catch {
      tries.push("threw");
      continue;
    }
    tries.push(outcomes.join("+"));
    const last = outcomes.at(-1);
    if (last === "deferred") {
      await waitForNotBefore(job);
      continue;
    }
    const rows = await deliveriesOf(job);
    if (outcomes.every((o) => FINAL.has(o)) && rows.every((r) => r.status === "delivered" || r.status === "dead")) return tries;
  }
  throw new Error(`the delivery did not finish in ${maxTries} tries: ${tries.join(", ")}`);
}

export function deliveriesOf(job: Job) {
  return db.helpdeskDelivery.findMany({
    where:
      job.kind === "notes"
        ? { resetId: job.resetId, kind: { in: ["scopes_before", "scopes_after"] } }
        : job.kind === "triage"
          ? { marker: triageMarker(job.ticketId) }
          : { id: job.deliveryId },
    orderBy: { kind: "asc" },
  });
}

async function waitForNotBefore(job: Job): Promise<void> {
  const rows = await deliveriesOf(job);
  const until = Math.max(0, ...rows.map((r) => r.notBefore?.getTime() ?? 0));
  const wait = until - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 20));
}

/** How many comments of the ticket carry each marker (in their custom metadata). */
export async function markerCounts(client: ZendeskClient, ticketId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const comment of await client.listComments(ticketId)) {
    if (comment.marker) counts.set(comment.marker, (counts.get(comment.marker) ?? 0) + 1);
  }
  return counts;
}
