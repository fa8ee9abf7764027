import "server-only";
import { appendAuditEvent } from "@/lib/audit/append-audit-event";
import { enqueueInTransaction } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { getDb, type Tx } from "@/lib/platform/db";
import { getLogger } from "@/lib/platform/logger";
import type { HelpdeskDelivery } from "@/lib/generated/prisma/client";
import { mirrorToTriage, prepareTriageNote } from "@/lib/triage/triage-delivery";
import { textToZendeskHtml } from "./comment-html";
import { claimDeliveryLease, DeliveryBusy, type DeliveryLease } from "./delivery-lease";
import { deliveryFailureMessage, internalFailureMessage, ticketGoneMessage } from "./delivery-messages";
import { REPLY_STALE_MESSAGE, replyStillTrue } from "./reply-still-true";
import { isZendeskError, type ZendeskError } from "./zendesk-errors";
import type { NewComment, ZendeskClient } from "./zendesk-client";
import type { ZendeskComment } from "./zendesk-schemas";

/**
 * Posts one recorded comment (an internal note, a customer reply or a
 * ticket's triage note) into its ticket, exactly once, whatever fails on the
 * way (decision 016, amended by decisions 027 and 042):
 *  - one worker at a time works a delivery: a lease on its row
 *    (./delivery-lease.ts), so no database connection is held across the
 *    Zendesk requests;
 *  - `in_flight_since` is committed just before posting and cleared only when
 *    the comment is recorded as delivered. Once it is set, the comment may be
 *    in the ticket, so every later try first searches the ticket for the
 *    comment's marker (carried in the update's custom metadata), whatever
 *    failed before and whatever fails next; only a search that answers lets
 *    a try post again. A failed search changes nothing;
 *  - right before each post, what the comment says is made true again: a
 *    triage note is computed again from the ticket and the account, and a
 *    customer reply whose facts changed since it was written is not posted
 *    (it goes dead asking for a redraft);
 *  - any failure of the post itself counts as "may have landed", whatever
 *    its status said: a refusal that would make the delivery dead (a closed
 *    ticket, a comment too large, refused credentials) is first confirmed by
 *    a search in the same try; a 409 (a concurrent update of the ticket) is
 *    tried again, after a search;
 *  - a 404 for the ticket's comments is confirmed by reading the ticket: only
 *    a ticket that is gone makes the delivery dead, saying the comment may
 *    have reached it before;
 *  - a rate limit (or any answer with Retry-After) defers the delivery to
 *    `not_before` by a new job starting then, without using up a try;
 *  - failures a person must fix go dead at once with a message saying what
 *    to do; the others are thrown for the job to retry with backoff, and go
 *    dead on the last try.
 * Every delivery, deferral past a minute and death is an audit event or log line.
 */

/** not_posted: nothing to post (a triage note for a ticket Zendesk does not have). */
export type DeliveryOutcome = "delivered" | "recovered" | "already_delivered" | "dead" | "deferred" | "not_posted";

export { DeliveryBusy };

export interface DeliveryAttempt {
  /** The job's last try: a failure now is final. */
  finalAttempt: boolean;
  /** The pg-boss job id, kept as the audit event's request id. */
  jobId: string;
}

export interface DeliveryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const SYSTEM_CLOCK: DeliveryClock = { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** A not_before this close is waited for in place; a later one is a new job starting then. */
const MAX_IN_PLACE_WAIT_MS = 5_000;
/** Deferrals (rate limits) before a delivery is given up: with Zendesk's limits of minutes, days of trying. */
export const MAX_DEFERRALS = 200;
const SYSTEM_ACTOR = { id: null, name: "helpdesk delivery", email: null };

export class DeliveryDeferred extends Error {
  override name = "DeliveryDeferred";
}

type Phase = "author" | "search" | "recheck" | "post";

export async function deliverHelpdeskComment(
  deliveryId: string,
  client: ZendeskClient,
  attempt: DeliveryAttempt,
  clock: DeliveryClock = SYSTEM_CLOCK,
): Promise<DeliveryOutcome> {
  const lease = await claimDeliveryLease(deliveryId);
  if (lease === "delivered") return "already_delivered";
  if (lease === "dead") return "dead";
  if ("busyUntil" in lease) {
    // Another worker has it: look again when its lease ends (it will be done, or gone), without using up a try.
    const row = await getDb().helpdeskDelivery.findUniqueOrThrow({ where: { id: deliveryId } });
    const until = new Date(Math.max(lease.busyUntil.getTime(), clock.now()) + 1000);
    await getDb().$transaction((tx) => enqueueAgain(tx, row, until));
    getLogger().info({ deliveryId, until: until.toISOString() }, "helpdesk delivery busy with another worker; looking again later");
    return "deferred";
  }
  try {
    return await deliverOnce(deliveryId, lease, client, attempt, clock);
  } finally {
    await lease.release();
  }
}

async function deliverOnce(
  deliveryId: string,
  lease: DeliveryLease,
  client: ZendeskClient,
  attempt: DeliveryAttempt,
  clock: DeliveryClock,
): Promise<DeliveryOutcome> {
  const db = getDb();
  let row = await db.helpdeskDelivery.findUniqueOrThrow({ where: { id: deliveryId } });
  const wait = (row.notBefore?.getTime() ?? 0) - clock.now();
  if (wait > MAX_IN_PLACE_WAIT_MS) return defer(row, row.notBefore!, null, attempt, clock);
  if (wait > 0) await clock.sleep(wait);

  const meta = { requestId: `job:${attempt.jobId}`, ip: null, userAgent: null };
  let phase: Phase = "author";
  try {
    await lease.renew();
    row = await resolveAuthor(row, client);
    if (row.inFlightSince) {
      // An earlier try may have posted it: only a search that answers lets this one post again.
      phase = "search";
      await lease.renew();
      const found = await client.findComment(row.ticketId, { marker: row.marker, since: row.createdAt });
      if (found) return await markDelivered(row, found, true, meta);
    }
    phase = "recheck";
    await lease.renew();
    let tags: NewComment["tags"] = null;
    if (row.kind === "triage_note") {
      const prepared = await prepareTriageNote(row, client);
      if ("notPosted" in prepared) return "not_posted";
      ({ row, tags } = prepared);
    } else if (!(await replyStillTrue(row))) {
      return await markDead(row, REPLY_STALE_MESSAGE, true, clock, meta, { stale: true });
    }
    phase = "post";
    await lease.renew();
    await db.helpdeskDelivery.update({
      where: { id: row.id },
      data: { inFlightSince: new Date(clock.now()), attempts: { increment: 1 }, updatedAt: new Date(clock.now()) },
    });
    const added = await client.addComment(row.ticketId, {
      ...(row.bodyFormat === "html" ? { htmlBody: textToZendeskHtml(row.body) } : { body: row.body }),
      public: row.public,
      marker: row.marker,
      authorId: row.authorZendeskId === null ? null : Number(row.authorZendeskId),
      status: row.ticketStatus === "pending" || row.ticketStatus === "solved" ? row.ticketStatus : null,
      tags,
    });
    return await markDelivered(row, { id: added.commentId, createdAt: added.createdAt, body: row.body }, false, meta);
  } catch (error) {
    // Lost the lease: another worker has the delivery now; this try changes nothing more.
    if (error instanceof DeliveryBusy) throw error;
    return failed(row, error, phase, client, attempt, clock, meta);
  }
}

/** A reply authored by the agent (HELPDESK_REPLY_AUTHOR=agent): their Zendesk user, looked up once; none found, the integration user. */
async function resolveAuthor(row: HelpdeskDelivery, client: ZendeskClient): Promise<HelpdeskDelivery> {
  if (row.kind !== "customer_reply" || row.authorEmail === null || row.authorZendeskId !== null) return row;
  const agent = await client.findAgentByEmail(row.authorEmail).catch((error: unknown) => {
    // An address Zendesk's search cannot take is no agent of it.
    if (error instanceof TypeError) return null;
    throw error;
  });
  return getDb().helpdeskDelivery.update({
    where: { id: row.id },
    data: agent ? { authorZendeskId: BigInt(agent.id) } : { authorEmail: null },
  });
}

type Meta = { requestId: string; ip: null; userAgent: null };

async function failed(
  row: HelpdeskDelivery,
  error: unknown,
  phase: Phase,
  client: ZendeskClient,
  attempt: DeliveryAttempt,
  clock: DeliveryClock,
  meta: Meta,
): Promise<DeliveryOutcome> {
  const zendesk = isZendeskError(error) ? error : null;
  // From the post on, the comment may be in the ticket whatever the answer said.
  const mayHaveLanded = phase === "post" || row.inFlightSince !== null;

  if (zendesk?.reason === "author_invalid" && row.authorZendeskId !== null) {
    // The agent's user may not author comments: the integration user posts it, at the next try (after a search).
    await getDb().helpdeskDelivery.update({ where: { id: row.id }, data: { authorZendeskId: null, authorEmail: null } });
  } else if (zendesk && zendesk.retryAfterSeconds !== undefined) {
    return defer(row, new Date(clock.now() + zendesk.retryAfterSeconds * 1000), zendesk, attempt, clock);
  } else if (zendesk && phase === "search" && zendesk.kind === "not_found") {
    // The comments could not be read: only a ticket that is gone is a reason to stop.
    return ticketGoneOrRetry(row, zendesk, client, attempt, clock, meta);
  } else if (zendesk && phase === "post" && isRefusal(zendesk)) {
    // Confirm before giving up: the refusal may have come after the comment landed.
    let found: ZendeskComment | null;
    try {
      found = await client.findComment(row.ticketId, { marker: row.marker, since: row.createdAt });
    } catch (searchError) {
      if (isZendeskError(searchError) && searchError.kind === "not_found")
        return ticketGoneOrRetry(row, searchError, client, attempt, clock, meta);
      return retryOrDie(row, searchError, attempt, clock, meta, true);
    }
    if (found) return markDelivered(row, found, true, meta);
    return markDead(row, deliveryFailureMessage(row, zendesk), true, clock, meta);
  }
  return retryOrDie(row, error, attempt, clock, meta, mayHaveLanded);
}

/**
 * A post Zendesk refused for a reason a person must fix: not a rate limit, not an answer we could not read,
 * not a 409 (another update of the ticket at the same moment: tried again, after a search).
 */
function isRefusal(error: ZendeskError): boolean {
  return !error.transient && error.kind !== "invalid_response" && error.status !== 409;
}

/**
 * The ticket's comments answered 404 after the comment may have landed. The
 * ticket itself is read to tell: still there, the 404 was something else and
 * the delivery is tried again (searching first); gone (deleted, or a wrong
 * number), the delivery is dead with a message that says the comment may
 * have reached it before it went.
 */
async function ticketGoneOrRetry(
  row: HelpdeskDelivery,
  notFound: ZendeskError,
  client: ZendeskClient,
  attempt: DeliveryAttempt,
  clock: DeliveryClock,
  meta: Meta,
): Promise<DeliveryOutcome> {
  try {
    await client.getTicket(row.ticketId);
  } catch (error) {
    if (isZendeskError(error) && error.kind === "not_found") return markDead(row, ticketGoneMessage(row), true, clock, meta);
    return retryOrDie(row, error, attempt, clock, meta, true);
  }
  return retryOrDie(row, notFound, attempt, clock, meta, true);
}

async function retryOrDie(
  row: HelpdeskDelivery,
  error: unknown,
  attempt: DeliveryAttempt,
  clock: DeliveryClock,
  meta: Meta,
  mayHaveLanded: boolean,
): Promise<DeliveryOutcome> {
  // Zendesk's errors say what Zendesk did, without secrets; anything else is ours: logged, never shown.
  const raw = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
  const base = isZendeskError(error) ? raw.slice(0, 400) : internalFailureMessage(meta.requestId);
  const message = mayHaveLanded ? `${base} (it may have reached the ticket: the next try searches it first)` : base;
  if (!isZendeskError(error)) getLogger().error({ deliveryId: row.id, kind: row.kind, err: raw }, "helpdesk delivery: internal error");
  if (attempt.finalAttempt) return markDead(row, `Gave up after the last try. ${message}`, false, clock, meta);
  await getDb().$transaction(async (tx) => {
    await tx.helpdeskDelivery.update({
      where: { id: row.id },
      data: { status: "retrying", lastError: message, updatedAt: new Date(clock.now()) },
    });
    if (row.kind === "triage_note") await mirrorToTriage(tx, row.marker, { lastError: message });
  });
  getLogger().warn({ deliveryId: row.id, kind: row.kind, err: base }, "helpdesk delivery failed; retrying");
  throw error instanceof Error ? error : new Error(base);
}

/** Rate limited (or asked to come back later): a new job starts at `until`; this one ends without using up a try. */
async function defer(
  row: HelpdeskDelivery,
  until: Date,
  error: ZendeskError | null,
  attempt: DeliveryAttempt,
  clock: DeliveryClock,
): Promise<DeliveryOutcome> {
  const meta = { requestId: `job:${attempt.jobId}`, ip: null, userAgent: null };
  if (row.deferrals >= MAX_DEFERRALS) {
    return markDead(row, `Zendesk kept asking to wait (${row.deferrals} times); try again later.`, false, clock, meta);
  }
  const reason = error ? `${error.message.slice(0, 300)}; waiting until ${until.toISOString()}` : (row.lastError ?? "waiting");
  await getDb().$transaction(async (tx) => {
    await tx.helpdeskDelivery.update({
      where: { id: row.id },
      data: {
        status: "retrying",
        notBefore: until,
        deferrals: { increment: error ? 1 : 0 },
        lastError: reason,
        updatedAt: new Date(clock.now()),
      },
    });
    if (row.kind === "triage_note") await mirrorToTriage(tx, row.marker, { lastError: reason });
    await enqueueAgain(tx, row, until);
  });
  getLogger().info({ deliveryId: row.id, kind: row.kind, until: until.toISOString() }, "helpdesk delivery deferred");
  return "deferred";
}

/** A new job for the delivery (its kind's queue), starting at `until`. */
async function enqueueAgain(tx: Tx, row: HelpdeskDelivery, until: Date): Promise<void> {
  if (row.kind === "triage_note") await enqueueInTransaction(tx, QUEUES.triageTicket, { ticketId: row.ticketId }, { startAfter: until });
  else if (row.kind === "customer_reply")
    await enqueueInTransaction(tx, QUEUES.sendCustomerReply, { deliveryId: row.id }, { startAfter: until });
  else if (row.approvalId !== null)
    await enqueueInTransaction(tx, QUEUES.deliverApprovalNotes, { approvalId: row.approvalId }, { startAfter: until });
  else await enqueueInTransaction(tx, QUEUES.deliverResetNotes, { resetId: row.resetId! }, { startAfter: until });
}

async function markDead(
  row: HelpdeskDelivery,
  message: string,
  permanent: boolean,
  clock: DeliveryClock,
  meta: Meta,
  extra: { stale?: true } = {},
): Promise<DeliveryOutcome> {
  await getDb().$transaction(async (tx) => {
    await tx.helpdeskDelivery.update({
      where: { id: row.id },
      // in_flight_since stays: whoever tries again searches the ticket first.
      data: { status: "dead", lastError: message.slice(0, 1000), notBefore: null, updatedAt: new Date(clock.now()) },
    });
    if (row.kind === "triage_note") await mirrorToTriage(tx, row.marker, { noteStatus: "dead", lastError: message.slice(0, 1000) });
    await appendAuditEvent(tx, {
      actor: SYSTEM_ACTOR,
      action: row.kind === "triage_note" ? "triage.note_dead" : "helpdesk.delivery_dead",
      ...deliveryTarget(row),
      ticketId: row.ticketId,
      details: { deliveryId: row.id, kind: row.kind, attempts: row.attempts, error: message.slice(0, 1000), permanent, ...extra },
      meta,
    });
  });
  getLogger().warn({ deliveryId: row.id, kind: row.kind, permanent }, "helpdesk delivery dead");
  return "dead";
}

/** What an audit event about a delivery is about: its reset, its approval request, its ticket (triage), or the account of a reply without one. */
export function deliveryTarget(row: {
  resetId: string | null;
  accountId: number | null;
  approvalId?: string | null;
  kind?: string;
  ticketId?: string;
}): {
  target: { type: string; id: string };
} {
  if (row.kind === "triage_note" && row.ticketId) return { target: { type: "ticket", id: row.ticketId } };
  if (row.resetId) return { target: { type: "scope_reset", id: row.resetId } };
  if (row.approvalId) return { target: { type: "reset_approval", id: row.approvalId } };
  return { target: { type: "account", id: String(row.accountId) } };
}

/**
 * The comment is in the ticket. For a reply sent again after it went dead,
 * what landed may be the earlier text: that text is recorded as sent.
 */
async function markDelivered(
  row: HelpdeskDelivery,
  comment: Pick<ZendeskComment, "id" | "createdAt" | "body">,
  recovered: boolean,
  meta: Meta,
): Promise<DeliveryOutcome> {
  const sentBody = recovered ? landedText(row, comment.body) : row.body;
  const landedEarlierText = sentBody !== row.body;
  await getDb().$transaction(async (tx) => {
    await tx.helpdeskDelivery.update({
      where: { id: row.id },
      data: {
        status: "delivered",
        zendeskCommentId: BigInt(comment.id),
        deliveredAt: new Date(comment.createdAt),
        sentBody,
        landedEarlierText,
        inFlightSince: null,
        lastError: null,
        notBefore: null,
        updatedAt: new Date(),
      },
    });
    if (row.kind === "triage_note") {
      const triage = await mirrorToTriage(tx, row.marker, {
        noteStatus: "delivered",
        zendeskCommentId: BigInt(comment.id),
        noteDeliveredAt: new Date(comment.createdAt),
        noteInFlightSince: null,
        lastError: null,
      });
      await appendAuditEvent(tx, {
        actor: { id: null, name: "ticket triage", email: null },
        action: "triage.note_delivered",
        ...deliveryTarget(row),
        ticketId: row.ticketId,
        details: { deliveryId: row.id, state: triage?.state, accountId: triage?.accountId ?? null, commentId: comment.id, recovered },
        meta,
      });
      return;
    }
    await appendAuditEvent(tx, {
      actor: SYSTEM_ACTOR,
      action: row.kind === "customer_reply" ? "helpdesk.reply_delivered" : "helpdesk.note_delivered",
      ...deliveryTarget(row),
      ticketId: row.ticketId,
      details: {
        deliveryId: row.id,
        kind: row.kind,
        commentId: comment.id,
        recovered,
        ...(row.familyResetId ? { familyResetId: row.familyResetId } : {}),
        ...(landedEarlierText ? { landedEarlierText: true } : {}),
      },
      meta,
    });
  });
  return recovered ? "recovered" : "delivered";
}

/** Which of the texts this delivery was ever asked to send is the one Zendesk holds (its text of our HTML, compared without spacing). */
function landedText(row: HelpdeskDelivery, zendeskBody: string): string {
  const squeeze = (text: string) => text.replace(/\s+/g, " ").trim();
  const held = squeeze(zendeskBody);
  const candidates = [row.body, ...[...row.supersededBodies].reverse()];
  return candidates.find((text) => squeeze(text) === held) ?? (row.supersededBodies.length === 0 ? row.body : zendeskBody);
}
