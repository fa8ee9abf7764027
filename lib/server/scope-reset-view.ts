import "server-only";
import { AppError } from "@/lib/errors";
import { diffScopeSets } from "@/lib/scope-resets/plan";
import { helpdeskConnection } from "@/lib/helpdesk/get-zendesk";
import { listDeliveries } from "@/lib/helpdesk/list-deliveries";
import { NO_IMPACT, renderCustomerReply, type ResetImpact } from "@/lib/scope-resets/notes";
import { eraseJobScopesOf } from "@/lib/scopes/catalog";
import { ticketPath } from "@/lib/tickets";
import { getDb } from "./db";

/**
 * What the result page, the JSON API and the ticket page show of a reset: the
 * ticket's shared working record, readable by whoever may read tickets. Audit
 * metadata (client IP, user agent, the audit events) stays in the audit
 * workspace, which applies the agent-sees-own-resets rule (decision 004).
 */

const resetSelect = {
  id: true,
  accountId: true,
  outcome: true,
  actorId: true,
  actorName: true,
  actorEmail: true,
  ticketId: true,
  ticketUrl: true,
  reason: true,
  added: true,
  removed: true,
  beforeCount: true,
  afterCount: true,
  verified: true,
  catalogVersion: true,
  requestId: true,
  durationMs: true,
  failureReason: true,
  mode: true,
  impact: true,
  familyResetId: true,
  ticketVerified: true,
  createdAt: true,
  account: { select: { id: true, username: true, email: true } },
  beforeScopeSet: { select: { scopes: true } },
  afterScopeSet: { select: { scopes: true } },
  ticketNotes: { select: { id: true, kind: true, body: true, authorName: true, createdAt: true }, orderBy: { createdAt: "asc" } },
  adminNote: { select: { id: true, body: true, authorName: true, createdAt: true } },
} as const;

export interface NoteView {
  id: string;
  body: string;
  authorName: string;
  createdAt: string;
}

type ResetRow = {
  id: string;
  outcome: string;
  createdAt: Date;
  durationMs: number;
  verified: boolean;
  catalogVersion: string;
  requestId: string | null;
  actorId: string | null;
  actorName: string;
  actorEmail: string;
  ticketId: string;
  ticketUrl: string;
  reason: string | null;
  failureReason: string | null;
  added: string[];
  removed: string[];
};

/** What every view of one reset says about it: the result page's and the audit workspace's alike. */
export function resetFacts<R extends ResetRow>(reset: R) {
  return {
    id: reset.id,
    outcome: reset.outcome as R["outcome"],
    createdAt: reset.createdAt.toISOString(),
    durationMs: reset.durationMs,
    verified: reset.verified,
    catalogVersion: reset.catalogVersion,
    requestId: reset.requestId,
    actor: { id: reset.actorId, name: reset.actorName, email: reset.actorEmail },
    ticket: { ticketId: reset.ticketId, url: reset.ticketUrl, path: ticketPath(reset.ticketId) },
    reason: reset.reason,
    failureReason: reset.failureReason,
    added: reset.added,
    removed: reset.removed,
  };
}

export async function getScopeResetView(id: string) {
  const db = getDb();
  const reset = await db.scopeReset.findUnique({ where: { id }, select: resetSelect });
  if (!reset) throw new AppError("not_found", `No scope reset with id ${id}.`);

  const before = reset.beforeScopeSet?.scopes ?? null;
  const after = reset.afterScopeSet?.scopes ?? null;
  const note = (kind: "scopes_before" | "scopes_after") => toNote(reset.ticketNotes.find((n) => n.kind === kind));

  let customerReply: string | null = null;
  let impact: ResetImpact | null = null;
  if (reset.outcome === "succeeded" && before && after) {
    impact = (reset.impact as ResetImpact | null) ?? (await legacyImpact(reset.accountId, reset.createdAt));
    customerReply = renderCustomerReply({
      account: reset.account,
      ticket: { ticketId: reset.ticketId, url: reset.ticketUrl },
      actor: { name: reset.actorName, email: reset.actorEmail },
      at: reset.createdAt,
      plan: diffScopeSets(before, after, reset.mode),
      reason: reset.reason,
      catalogVersion: reset.catalogVersion,
      impact,
    });
  }

  return {
    ...resetFacts(reset),
    account: reset.account,
    before,
    after,
    eraseJobBefore: before ? eraseJobScopesOf(before) : null,
    eraseJobAfter: after ? eraseJobScopesOf(after) : null,
    mode: reset.mode,
    familyResetId: reset.familyResetId,
    notes: { before: note("scopes_before"), after: note("scopes_after"), admin: toNote(reset.adminNote) },
    /** What the reset meant for keys and subusers, as confirmed (null for a failed attempt). */
    impact,
    customerReply,
    /** The notes and the reply as delivered (or being delivered) into the ticket. */
    deliveries: await listDeliveries(db, { resetId: reset.id }),
    /** Whether the console can post into the helpdesk (else the notes are copied by hand). */
    helpdesk: { connected: helpdeskConnection().connected, ticketVerified: reset.ticketVerified },
  };
}

export type ScopeResetView = Awaited<ReturnType<typeof getScopeResetView>>;

/**
 * Resets recorded before the impact was stored: the keys that existed at the
 * reset and lack the erase-job scopes, as the reply then named them.
 */
async function legacyImpact(accountId: number, at: Date): Promise<ResetImpact> {
  const keys = await getDb().apiKey.findMany({
    where: { accountId, createdAt: { lte: at } },
    orderBy: { createdAt: "asc" },
    select: { id: true, name: true, scopeSet: { select: { scopes: true } }, account: { select: { username: true } } },
  });
  return {
    ...NO_IMPACT,
    keysLackingEraseJob: keys.flatMap((k) => {
      const missing = eraseJobScopesOf(k.scopeSet.scopes).missing;
      return missing.length === 0 ? [] : [{ keyId: k.id, keyName: k.name, accountId, accountUsername: k.account.username, missing }];
    }),
  };
}

/** What POST answers: enough to link to the result, without the scope lists, notes and reply (GET /api/scope-resets/{id}). */
export async function getScopeResetSummary(id: string) {
  const reset = await getDb().scopeReset.findUnique({
    where: { id },
    select: {
      id: true,
      outcome: true,
      accountId: true,
      ticketId: true,
      ticketUrl: true,
      added: true,
      removed: true,
      beforeCount: true,
      afterCount: true,
      verified: true,
      actorName: true,
      createdAt: true,
    },
  });
  if (!reset) throw new AppError("not_found", `No scope reset with id ${id}.`);
  return {
    ...reset,
    createdAt: reset.createdAt.toISOString(),
    ticket: { ticketId: reset.ticketId, url: reset.ticketUrl, path: ticketPath(reset.ticketId) },
    links: { self: `/api/scope-resets/${reset.id}`, page: `/scope-resets/${reset.id}` },
  };
}

export function toNote(note: { id: string; body: string; authorName: string; createdAt: Date } | null | undefined): NoteView | null {
  return note ? { id: note.id, body: note.body, authorName: note.authorName, createdAt: note.createdAt.toISOString() } : null;
}

const TICKET_ENTRIES_LIMIT = 500;

/**
 * Everything recorded for one helpdesk ticket, oldest first: each reset
 * attempt followed by the notes it wrote. Each note's body is the plain text
 * to paste into the helpdesk.
 */
export async function getTicketRecord(ticket: { ticketId: string; url: string }) {
  const db = getDb();
  const [resets, ticketNotes, adminNotes] = await Promise.all([
    db.scopeReset.findMany({
      where: { ticketId: ticket.ticketId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: TICKET_ENTRIES_LIMIT,
      select: {
        id: true,
        outcome: true,
        actorName: true,
        createdAt: true,
        added: true,
        removed: true,
        failureReason: true,
        account: { select: { id: true, username: true } },
      },
    }),
    db.ticketNote.findMany({
      where: { ticketId: ticket.ticketId },
      orderBy: [{ createdAt: "asc" }, { kind: "asc" }],
      take: TICKET_ENTRIES_LIMIT,
      select: { id: true, kind: true, body: true, authorName: true, createdAt: true, resetId: true, accountId: true },
    }),
    db.adminNote.findMany({
      where: { ticketId: ticket.ticketId },
      orderBy: { createdAt: "asc" },
      take: TICKET_ENTRIES_LIMIT,
      select: { id: true, body: true, authorName: true, createdAt: true, resetId: true, accountId: true },
    }),
  ]);

  type Entry =
    | { type: "reset"; at: string; order: number; reset: Omit<(typeof resets)[number], "createdAt"> & { createdAt: string } }
    | { type: "ticket_note"; at: string; order: number; note: NoteView & { kind: string; resetId: string; accountId: number } }
    | { type: "admin_note"; at: string; order: number; note: NoteView & { resetId: string | null; accountId: number } };

  // Within one reset (same timestamp), show the reset first, then note 1, note 2, the admin note.
  const entries: Entry[] = [
    ...resets.map((r) => ({ type: "reset" as const, at: r.createdAt.toISOString(), order: 0, reset: { ...r, createdAt: r.createdAt.toISOString() } })),
    ...ticketNotes.map((n) => ({
      type: "ticket_note" as const,
      at: n.createdAt.toISOString(),
      order: n.kind === "scopes_before" ? 1 : 2,
      note: { ...toNote(n)!, kind: n.kind, resetId: n.resetId, accountId: n.accountId },
    })),
    ...adminNotes.map((n) => ({
      type: "admin_note" as const,
      at: n.createdAt.toISOString(),
      order: 3,
      note: { ...toNote(n)!, resetId: n.resetId, accountId: n.accountId },
    })),
  ];
  entries.sort((a, b) => (a.at === b.at ? a.order - b.order : a.at < b.at ? -1 : 1));
  return { ticket: { ...ticket, path: ticketPath(ticket.ticketId) }, entries };
}

export type TicketRecord = Awaited<ReturnType<typeof getTicketRecord>>;

const HISTORY_LIMIT = 50;

/** The account page's reset history and admin notes, newest first. */
export async function getAccountHistory(accountId: number) {
  const db = getDb();
  const [resets, adminNotes] = await Promise.all([
    db.scopeReset.findMany({
      where: { accountId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: HISTORY_LIMIT,
      select: { id: true, outcome: true, actorName: true, createdAt: true, ticketId: true, ticketUrl: true, added: true, removed: true, failureReason: true },
    }),
    db.adminNote.findMany({
      where: { accountId },
      orderBy: { createdAt: "desc" },
      take: HISTORY_LIMIT,
      select: { id: true, body: true, authorName: true, createdAt: true, ticketId: true, ticketUrl: true, resetId: true },
    }),
  ]);
  return {
    resets: resets.map((r) => ({
      id: r.id,
      outcome: r.outcome,
      actorName: r.actorName,
      createdAt: r.createdAt.toISOString(),
      ticketId: r.ticketId,
      ticketUrl: r.ticketUrl,
      addedCount: r.added.length,
      removedCount: r.removed.length,
      failureReason: r.failureReason,
    })),
    adminNotes: adminNotes.map((n) => ({ ...toNote(n)!, ticketId: n.ticketId, ticketUrl: n.ticketUrl, resetId: n.resetId })),
  };
}
