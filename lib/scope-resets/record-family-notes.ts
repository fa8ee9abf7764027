import "server-only";
import { randomUUID } from "node:crypto";
import { appendAuditEvent, type RequestMeta } from "@/lib/audit/append-audit-event";
import { queueResetNotes } from "@/lib/helpdesk/queue-reset-notes";
import { getDb } from "@/lib/platform/db";
import { CATALOG_VERSION, eraseJobScopesOf } from "@/lib/scopes/catalog";
import { effectiveScopes } from "@/lib/scopes/effective-scopes";
import {
  NO_IMPACT,
  renderFamilyAfterNote,
  renderFamilyBeforeNote,
  type ApprovalRef,
  type FamilyMemberNote,
  type ResetImpact,
} from "./notes";
import { diffScopeSets } from "./plan";
import { familyPageUrl } from "./result-urls";

/**
 * A family reset's one note pair, recorded after its accounts were reset
 * (each in its own transaction) in one transaction of its own: both notes on
 * the family's first reset, and their delivery into the ticket (outbox). One
 * pair for the whole family keeps a ticket readable and within Zendesk's 30
 * updates per ticket in 10 minutes (decision 025). Idempotent: a family that
 * has its notes gets no second pair, so replaying the confirmation (the same
 * idempotency key) records them if the first request died before it could.
 * Nothing is recorded when no account was reset.
 */
export async function recordFamilyNotes(input: {
  familyResetId: string;
  parentId: number;
  meta: RequestMeta;
  /** The approval the family was carried out under, if it needed one. */
  approval?: ApprovalRef;
}): Promise<{ recorded: boolean; anchorResetId: string | null }> {
  const { familyResetId, parentId, meta } = input;
  return getDb().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`family-notes:${familyResetId}`}, 0))`;
    const existing = await tx.ticketNote.findFirst({ where: { familyResetId }, select: { resetId: true } });
    if (existing) return { recorded: false, anchorResetId: existing.resetId };

    const attempts = await tx.scopeReset.findMany({
      where: { familyResetId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: {
        id: true,
        outcome: true,
        mode: true,
        impact: true,
        failureReason: true,
        ticketId: true,
        ticketUrl: true,
        actorId: true,
        actorName: true,
        actorEmail: true,
        reason: true,
        account: { select: { id: true, username: true, parentId: true } },
        beforeScopeSet: { select: { scopes: true } },
        afterScopeSet: { select: { scopes: true } },
      },
    });
    const anchor = attempts.find((a) => a.outcome === "succeeded");
    if (!anchor) return { recorded: false, anchorResetId: null };

    const members: FamilyMemberNote[] = attempts.map((a) => {
      const succeeded = a.outcome === "succeeded" && a.beforeScopeSet && a.afterScopeSet;
      return {
        account: { id: a.account.id, username: a.account.username },
        role: a.account.parentId === null ? "parent" : "subuser",
        outcome: succeeded ? "succeeded" : a.failureReason?.startsWith("skipped:") ? "skipped" : "failed",
        plan: succeeded ? diffScopeSets(a.beforeScopeSet!.scopes, a.afterScopeSet!.scopes, a.mode) : null,
        impact: succeeded ? ((a.impact as ResetImpact | null) ?? NO_IMPACT) : null,
        failure: succeeded ? null : a.failureReason,
      };
    });

    // Which of the parent's subusers lack the scopes now, after every account of the family was done.
    const parent = await tx.account.findUniqueOrThrow({
      where: { id: parentId },
      select: { id: true, username: true, scopeSet: { select: { scopes: true } } },
    });
    const subusers = await tx.account.findMany({
      where: { parentId },
      orderBy: { id: "asc" },
      select: { id: true, username: true, scopeSet: { select: { scopes: true } } },
    });
    const subusersStillLacking = subusers
      .filter(
        (s) =>
          !eraseJobScopesOf(
            effectiveScopes([
              { kind: "account", label: s.username, scopes: s.scopeSet.scopes },
              { kind: "parent", label: parent.username, scopes: parent.scopeSet.scopes },
            ]),
          ).both,
      )
      .map((s) => ({ id: s.id, username: s.username }));

    const at = new Date();
    const noteInput = {
      parent: { id: parent.id, username: parent.username },
      ticket: { ticketId: anchor.ticketId, url: anchor.ticketUrl },
      actor: { name: anchor.actorName, email: anchor.actorEmail },
      at,
      reason: anchor.reason,
      catalogVersion: CATALOG_VERSION,
      members,
      subusersStillLacking,
      resultUrl: familyPageUrl(familyResetId),
      approval: input.approval,
    };
    const notes = [
      { kind: "scopes_before" as const, body: renderFamilyBeforeNote(noteInput) },
      { kind: "scopes_after" as const, body: renderFamilyAfterNote(noteInput) },
    ];
    await tx.ticketNote.createMany({
      data: notes.map((n) => ({
        id: randomUUID(),
        ticketId: anchor.ticketId,
        ticketUrl: anchor.ticketUrl,
        accountId: anchor.account.id,
        resetId: anchor.id,
        familyResetId,
        kind: n.kind,
        body: n.body,
        authorId: anchor.actorId,
        authorName: anchor.actorName,
        createdAt: at,
      })),
    });
    const queued = await queueResetNotes(tx, {
      resetId: anchor.id,
      accountId: anchor.account.id,
      familyResetId,
      ticketId: anchor.ticketId,
      notes,
      requestedBy: { id: anchor.actorId, name: anchor.actorName },
    });
    await appendAuditEvent(tx, {
      actor: { id: anchor.actorId, name: anchor.actorName, email: anchor.actorEmail },
      action: "family_reset.notes_recorded",
      target: { type: "family_reset", id: familyResetId },
      ticketId: anchor.ticketId,
      details: {
        familyResetId,
        anchorResetId: anchor.id,
        accounts: members.map((m) => ({ id: m.account.id, outcome: m.outcome })),
        subusersStillLacking: subusersStillLacking.map((s) => s.id),
        notesQueuedForHelpdesk: queued,
      },
      meta,
      occurredAt: at,
    });
    return { recorded: true, anchorResetId: anchor.id };
  });
}
