import "server-only";
import { getDb } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import { RESET_ROW_COLUMNS } from "@/lib/scope-resets/reset-facts";
import { orderTimeline, timelineOrder } from "@/lib/scope-resets/timeline";
import type { AuditViewer } from "./audit-where";
import { auditVisibility } from "./visibility";

const TIMELINE_LIMIT = 1000;

/** Every reset attempt, ticket note and admin note on one account, oldest first (an agent: only their own). */
export async function getAccountTimeline(viewer: AuditViewer, accountId: number) {
  const visibility = auditVisibility(viewer);
  const db = getDb();
  const account = await db.account.findUnique({
    where: { id: accountId },
    select: { id: true, username: true, email: true, signedUpAt: true },
  });
  if (!account) throw new AppError("not_found", `No account with id ${accountId}.`);
  const own = visibility.scope === "own" ? visibility.actorId : null;
  const [resets, ticketNotes, adminNotes] = await Promise.all([
    db.scopeReset.findMany({
      where: { accountId, ...(own ? { actorId: own } : {}) },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: TIMELINE_LIMIT,
      select: { ...RESET_ROW_COLUMNS, reason: true },
    }),
    db.ticketNote.findMany({
      where: { accountId, ...(own ? { reset: { actorId: own } } : {}) },
      orderBy: [{ createdAt: "asc" }, { kind: "asc" }],
      take: TIMELINE_LIMIT,
      select: { id: true, kind: true, body: true, authorName: true, createdAt: true, resetId: true, ticketId: true, ticketUrl: true },
    }),
    db.adminNote.findMany({
      where: { accountId, ...(own ? { OR: [{ authorId: own }, { reset: { actorId: own } }] } : {}) },
      orderBy: { createdAt: "asc" },
      take: TIMELINE_LIMIT,
      select: { id: true, body: true, authorName: true, createdAt: true, resetId: true, ticketId: true, ticketUrl: true },
    }),
  ]);
  type Entry =
    | {
        type: "reset";
        at: string;
        order: number;
        reset: {
          id: string;
          outcome: string;
          actorName: string;
          ticketId: string;
          ticketUrl: string;
          added: string[];
          removed: string[];
          failureReason: string | null;
          reason: string | null;
        };
      }
    | {
        type: "ticket_note";
        at: string;
        order: number;
        note: { id: string; kind: string; body: string; authorName: string; resetId: string; ticketId: string; ticketUrl: string };
      }
    | {
        type: "admin_note";
        at: string;
        order: number;
        note: { id: string; body: string; authorName: string; resetId: string | null; ticketId: string | null; ticketUrl: string | null };
      };
  const entries: Entry[] = [
    ...resets.map((r) => ({
      type: "reset" as const,
      at: r.createdAt.toISOString(),
      order: timelineOrder("reset"),
      reset: {
        id: r.id,
        outcome: r.outcome,
        actorName: r.actorName,
        ticketId: r.ticketId,
        ticketUrl: r.ticketUrl,
        added: r.added,
        removed: r.removed,
        failureReason: r.failureReason,
        reason: r.reason,
      },
    })),
    ...ticketNotes.map((n) => ({
      type: "ticket_note" as const,
      at: n.createdAt.toISOString(),
      order: timelineOrder(n.kind),
      note: {
        id: n.id,
        kind: n.kind,
        body: n.body,
        authorName: n.authorName,
        resetId: n.resetId,
        ticketId: n.ticketId,
        ticketUrl: n.ticketUrl,
      },
    })),
    ...adminNotes.map((n) => ({
      type: "admin_note" as const,
      at: n.createdAt.toISOString(),
      order: timelineOrder("admin_note"),
      note: { id: n.id, body: n.body, authorName: n.authorName, resetId: n.resetId, ticketId: n.ticketId, ticketUrl: n.ticketUrl },
    })),
  ];
  orderTimeline(entries);
  return {
    account: { ...account, signedUpAt: account.signedUpAt.toISOString() },
    entries,
    truncated: resets.length === TIMELINE_LIMIT || ticketNotes.length === TIMELINE_LIMIT || adminNotes.length === TIMELINE_LIMIT,
  };
}

export type AccountTimeline = Awaited<ReturnType<typeof getAccountTimeline>>;
