import "server-only";
import { listDeliveries } from "@/lib/helpdesk/list-deliveries";
import { getDb } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import { resetFacts, toNote } from "@/lib/scope-resets/reset-facts";
import { groupScopes } from "@/lib/scopes/catalog";
import type { AuditViewer } from "./audit-where";
import { groupedDiff } from "./diff";
import { auditVisibility } from "./visibility";

/** One reset as a lead reviews it. An agent asking for someone else's reset gets "not found", not a hint it exists. */
export async function getAuditResetDetail(viewer: AuditViewer, id: string) {
  const visibility = auditVisibility(viewer);
  const reset = await getDb().scopeReset.findUnique({
    where: { id },
    include: {
      account: { select: { id: true, username: true, email: true, signedUpAt: true } },
      beforeScopeSet: { select: { scopes: true, fingerprint: true } },
      afterScopeSet: { select: { scopes: true, fingerprint: true } },
      ticketNotes: { select: { id: true, kind: true, body: true, authorName: true, createdAt: true } },
      adminNote: { select: { id: true, body: true, authorName: true, createdAt: true, ticketUrl: true } },
    },
  });
  if (!reset || (visibility.scope === "own" && reset.actorId !== visibility.actorId)) {
    throw new AppError("not_found", `No scope reset with id ${id} that you may see.`);
  }
  const before = reset.beforeScopeSet?.scopes ?? null;
  const after = reset.afterScopeSet?.scopes ?? null;
  // The reset's own events (on the account), what happened to its notes and reply in the helpdesk (on the reset),
  // and for a family's account, the family's (its notes, its reply).
  const family = reset.familyResetId ?? "";
  const [events, deliveries] = await Promise.all([
    getDb().$queryRaw<{ seq: bigint; action: string; occurred_at: Date; hash: string }[]>`
      SELECT seq, action, occurred_at, hash FROM audit_event
       WHERE (target_type = 'account' AND target_id = ${String(reset.accountId)} AND details->>'resetId' = ${reset.id})
          OR (target_type = 'scope_reset' AND target_id = ${reset.id})
          OR (${family} <> '' AND target_type = 'family_reset' AND target_id = ${family})
          OR (${family} <> '' AND target_type = 'scope_reset' AND details->>'familyResetId' = ${family})
       ORDER BY seq`,
    // A family's accounts share the family's note pair and reply.
    listDeliveries(getDb(), reset.familyResetId ? { familyResetId: reset.familyResetId } : { resetId: reset.id }),
  ]);
  const ticketNotes = reset.familyResetId
    ? await getDb().ticketNote.findMany({
        where: { familyResetId: reset.familyResetId },
        select: { id: true, kind: true, body: true, authorName: true, createdAt: true },
      })
    : reset.ticketNotes;
  return {
    ...resetFacts(reset),
    clientIp: reset.clientIp,
    userAgent: reset.userAgent,
    clientRequestId: reset.clientRequestId,
    idempotencyKey: reset.idempotencyKey,
    account: {
      id: reset.account.id,
      username: reset.account.username,
      email: reset.account.email,
      signedUpAt: reset.account.signedUpAt.toISOString(),
    },
    before: before ? { scopes: before, fingerprint: reset.beforeScopeSet!.fingerprint, groups: groupScopes(before) } : null,
    after: after ? { scopes: after, fingerprint: reset.afterScopeSet!.fingerprint, groups: groupScopes(after) } : null,
    /** For a failed attempt: what it would have changed (nothing was applied). */
    diff: before && after ? groupedDiff(before, after) : before ? groupedDiff(before, applyChange(before, reset.added, reset.removed)) : [],
    notes: {
      before: toNote(ticketNotes.find((n) => n.kind === "scopes_before")),
      after: toNote(ticketNotes.find((n) => n.kind === "scopes_after")),
      admin: toNote(reset.adminNote),
    },
    deliveries,
    auditEvents: events.map((e) => ({ seq: e.seq.toString(), action: e.action, occurredAt: e.occurred_at.toISOString(), hash: e.hash })),
  };
}

export type AuditResetDetail = Awaited<ReturnType<typeof getAuditResetDetail>>;

function applyChange(before: string[], added: string[], removed: string[]): string[] {
  const gone = new Set(removed);
  return [...before.filter((s) => !gone.has(s)), ...added];
}
