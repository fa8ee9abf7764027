import "server-only";
import { randomUUID } from "node:crypto";
import { AppError } from "@/lib/platform/errors";
import { enqueueInTransaction } from "@/lib/jobs/boss";
import { QUEUES } from "@/lib/jobs/queues";
import { appendAuditEvent, type RequestMeta } from "@/lib/audit/append-audit-event";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import type { StaffSession } from "@/lib/auth/get-staff";
import { draftCustomerReply } from "@/lib/scope-resets/customer-reply";
import { loadReplyFacts, replyAccountIds, type ReplySubject } from "@/lib/scope-resets/load-reply-facts";
import { textToZendeskHtml } from "./comment-html";
import { helpdeskConnection } from "./get-zendesk";
import { findTicketReplies } from "./find-ticket-replies";
import { deliveryMarker, normaliseReplyText } from "./helpdesk-comments";
import { COMMENT_MAX_BYTES } from "./zendesk-client";

/** conflict: the reply already queued or delivered. */
export interface ReplyConflictDetails {
  deliveryId: string;
  status: string;
}

/** reply_stale: the facts changed since the draft; the fresh draft to review and confirm (text null when none can be written now). */
export interface ReplyStaleDetails {
  draft: { text: string | null; blocked: string | null; factsFingerprint: string };
}

export const REPLY_TICKET_STATUSES = ["pending", "solved"] as const;
export type ReplyTicketStatus = (typeof REPLY_TICKET_STATUSES)[number];

/**
 * The agent sends a customer reply (of a reset, of a family reset, or
 * "create a new key" for an account with nothing to reset) as edited and
 * confirmed in the console, as a public comment on the ticket. Never
 * automatic: only this call sends it. True when sent (decision 026): the
 * facts the draft was made from are read again here, and a send drafted from
 * other facts is refused with the fresh draft. Recorded and audited with the
 * text as sent, the ticket status to set with it and whose Zendesk user
 * authors it; delivered by the worker like the notes, once. A reply whose
 * delivery went dead may be sent again (new text allowed): the worker then
 * searches the ticket first, and if the earlier text landed, that text is
 * recorded as the one sent.
 */
export async function sendCustomerReply(input: {
  subject: ReplySubject;
  /** For an account's reply (no reset): the ticket it answers, already checked to exist. */
  ticket?: { ticketId: string; url: string };
  text: string;
  factsFingerprint: string;
  ticketStatus: ReplyTicketStatus | null;
  staff: StaffSession;
  meta: RequestMeta;
}): Promise<{ deliveryId: string; resend: boolean }> {
  const connection = helpdeskConnection();
  if (!connection.connected) {
    throw new AppError(
      "helpdesk_not_connected",
      "The helpdesk is not connected, so the reply cannot be sent from here: copy it into the ticket.",
    );
  }
  const { subject, staff, meta } = input;
  const text = normaliseReplyText(input.text);
  const htmlBytes = Buffer.byteLength(textToZendeskHtml(text), "utf8");
  if (htmlBytes > COMMENT_MAX_BYTES) {
    throw new AppError(
      "bad_request",
      `The reply is too long for one Zendesk comment (${htmlBytes} bytes once formatted, over ${COMMENT_MAX_BYTES}). Shorten it.`,
      {
        field: "text",
      },
    );
  }

  return getDb().$transaction(async (tx) => {
    // One send at a time per reply: the reset's (or family's, or ticket and account's) lock.
    const lockKey =
      subject.kind === "reset"
        ? `reply:reset:${subject.resetId}`
        : subject.kind === "family"
          ? `reply:family:${subject.familyResetId}`
          : `reply:account:${subject.accountId}:${input.ticket?.ticketId}`;
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`;

    const loaded = await loadReplyFacts(tx, subject);
    if (loaded.factsFingerprint !== input.factsFingerprint) {
      const fresh = draftCustomerReply(loaded.facts, { name: staff.name });
      throw new AppError(
        "reply_stale",
        "The account changed since this reply was drafted (keys, subusers or scopes), so it may no longer be true. Review the new draft and send again.",
        { draft: { text: fresh.text, blocked: fresh.blocked, factsFingerprint: loaded.factsFingerprint } } satisfies ReplyStaleDetails,
      );
    }
    const ticket = loaded.ticket ?? input.ticket;
    if (!ticket) throw new AppError("bad_request", "Say which ticket the reply answers.", { field: "ticket" });

    // One reply per ticket and account (decision 045): another subject's reply about the same account refuses this one.
    const { own: earlier, refusal } = await findTicketReplies(tx, {
      ticketId: ticket.ticketId,
      accountIds: replyAccountIds(loaded),
      own: loaded.anchorResetId ? { resetId: loaded.anchorResetId } : { accountId: loaded.accountId },
      lock: true,
    });
    if (refusal) throw refusal;
    if (earlier && earlier.status !== "dead") {
      throw new AppError("conflict", earlier.status === "delivered" ? "The reply was already sent." : "The reply is already on its way.", {
        deliveryId: earlier.id,
        status: earlier.status,
      } satisfies ReplyConflictDetails);
    }
    const reply = {
      body: text,
      bodyFormat: "html" as const,
      public: true,
      status: "queued" as const,
      attempts: 0,
      deferrals: 0,
      lastError: null,
      notBefore: null,
      sentBody: null,
      landedEarlierText: false,
      ticketStatus: input.ticketStatus,
      authorEmail: getConfig().helpdeskReplyAuthor === "agent" ? staff.email : null,
      authorZendeskId: null,
      factsFingerprint: loaded.factsFingerprint,
      requestedById: staff.id,
      requestedByName: staff.name,
      updatedAt: new Date(),
    };
    let deliveryId: string;
    if (earlier) {
      deliveryId = earlier.id;
      await tx.helpdeskDelivery.update({
        where: { id: earlier.id },
        data: {
          ...reply,
          supersededBodies: [...earlier.supersededBodies, earlier.body],
          // The earlier text may have reached the ticket before it went dead: the worker searches first.
          inFlightSince: earlier.inFlightSince ?? new Date(),
        },
      });
    } else {
      deliveryId = randomUUID();
      await tx.helpdeskDelivery.create({
        data: {
          ...reply,
          id: deliveryId,
          marker: deliveryMarker(deliveryId),
          kind: "customer_reply",
          resetId: loaded.anchorResetId,
          accountId: loaded.accountId,
          familyResetId: loaded.familyResetId,
          ticketId: ticket.ticketId,
        },
      });
    }
    await enqueueInTransaction(tx, QUEUES.sendCustomerReply, { deliveryId });
    await appendAuditEvent(tx, {
      actor: { id: staff.id, name: staff.name, email: staff.email },
      action: "helpdesk.reply_requested",
      target: loaded.anchorResetId ? { type: "scope_reset", id: loaded.anchorResetId } : { type: "account", id: String(loaded.accountId) },
      ticketId: ticket.ticketId,
      details: {
        deliveryId,
        kind: loaded.facts.kind,
        ...(loaded.familyResetId ? { familyResetId: loaded.familyResetId } : {}),
        text,
        characters: text.length,
        ticketStatus: input.ticketStatus,
        author: reply.authorEmail ? "agent" : "integration",
        factsFingerprint: loaded.factsFingerprint,
        resend: earlier !== null,
      },
      meta,
    });
    return { deliveryId, resend: earlier !== null };
  });
}
