import "server-only";
import { appendAuditEvent, type Actor, type RequestMeta } from "@/lib/audit/append-audit-event";
import { getZendesk, helpdeskConnection } from "@/lib/helpdesk/get-zendesk";
import { queueApprovalNote } from "@/lib/helpdesk/queue-approval-note";
import { readTicket } from "@/lib/helpdesk/read-ticket";
import { isZendeskError } from "@/lib/helpdesk/zendesk-errors";
import type { ZendeskTicket } from "@/lib/helpdesk/zendesk-schemas";
import type { ResetApproval } from "@/lib/generated/prisma/client";
import { getConfig } from "@/lib/platform/config";
import { getDb, type Db, type Tx } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import type { ResetPlanView } from "@/lib/scope-resets/describe-reset-options";
import { loadResetSubject, sha256 } from "@/lib/scope-resets/load-reset-subject";
import type { ResetMode } from "@/lib/scope-resets/plan";
import { approvalPageUrl } from "@/lib/scope-resets/result-urls";
import { scopeSetsById } from "@/lib/scopes/scope-set-cache";
import { compactFacts, diffResetFacts, factsIdentity, type CompactFacts, type FactChange, type ResetFacts } from "./facts";
import { renderApprovalNote, type ApprovalNoteStep } from "./notes";
import type { AssigneeKnowledge, FiredRule } from "./policy";

/**
 * What every step of an approval request shares: the row as stored, its
 * lock, the facts check, the assignee as the helpdesk says, and recording a
 * step (the state, its audit event and its internal note in one
 * transaction).
 */

/** The confirmation the requester gave, carried out exactly when approved. */
export type ApprovalConfirmation =
  | { kind: "reset"; expectedFingerprint: string; mode: ResetMode; acknowledgedKeyImpact: string | null }
  | {
      kind: "family";
      parent: { expectedFingerprint: string; mode: ResetMode; acknowledgedKeyImpact: string | null } | null;
      subusers: { id: number; expectedFingerprint: string; mode: ResetMode; acknowledgedKeyImpact: string | null }[];
    };

/** The plan the approver reads, as computed under the lock when the request was made. */
export type ApprovalPlan =
  | {
      kind: "reset";
      account: { id: number; username: string };
      plan: ResetPlanView;
      anomaly: string | null;
      parent: { id: number; username: string } | null;
      subusersLackingEraseJob: { id: number; username: string }[];
    }
  | {
      kind: "family";
      account: { id: number; username: string };
      parent: { needsReset: boolean; mode: ResetMode; plan: ResetPlanView };
      subusers: { id: number; username: string; plan: ResetPlanView }[];
    };

/** The plan in numbers, for notes and the queue. */
export function planSummary(plan: ApprovalPlan) {
  if (plan.kind === "reset") {
    return {
      mode: plan.plan.mode,
      added: plan.plan.added.length,
      removed: plan.plan.removed.length,
      removedScopes: plan.plan.removed,
      keyLosses: plan.plan.keyImpact.losses,
    };
  }
  const plans = [...(plan.parent.needsReset ? [plan.parent.plan] : []), ...plan.subusers.map((s) => s.plan)];
  const modes = new Set(plans.map((p) => p.mode));
  return {
    mode: (modes.size === 1 ? [...modes][0]! : "mixed") as "default" | "minimal" | "mixed",
    added: plans.reduce((n, p) => n + p.added.length, 0),
    removed: plans.reduce((n, p) => n + p.removed.length, 0),
    /** Every scope some account of the family loses, once. */
    removedScopes: [...new Set(plans.flatMap((p) => p.removed))].sort(),
    // One entry per key: a subuser's key may lose scopes in its parent's reset and again in its own.
    keyLosses: [...new Map(plans.flatMap((p) => p.keyImpact.losses).map((l) => [l.keyId, l])).values()],
  };
}

/** The request's row, locked for this transaction: every step is decided under it, so two steps never both win. */
export async function lockApproval(tx: Tx, id: string): Promise<ResetApproval> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM reset_approval WHERE id = ${id}::uuid FOR UPDATE`;
  if (locked.length === 0) throw new AppError("not_found", `No approval request with id ${id}.`);
  return tx.resetApproval.findUniqueOrThrow({ where: { id } });
}

export function factsFingerprintOf(facts: CompactFacts): string {
  return sha256(factsIdentity(facts));
}

/** What an approval is bound to: the confirmation and the facts it depends on. */
export function planHashOf(confirmation: ApprovalConfirmation, factsFingerprint: string): string {
  return sha256(JSON.stringify([confirmation, factsFingerprint]));
}

/** The facts of the request's account now, and what changed since the request; null when nothing did. */
export async function currentDrift(
  db: Db | Tx,
  row: Pick<ResetApproval, "accountId" | "facts" | "factsFingerprint">,
): Promise<FactChange[] | null> {
  const subject = await loadResetSubject(db, row.accountId, { lock: false });
  const now = compactFacts(subject);
  if (factsFingerprintOf(now) === row.factsFingerprint) return null;
  const changes = diffResetFacts(await expandFacts(db, row.facts as unknown as CompactFacts), await expandFacts(db, now));
  // Same sets, other identity (e.g. a spelling only a fingerprint sees): still a change, said plainly.
  return changes.length > 0 ? changes : [{ subject: "account", text: "The account's keys or subusers changed since the request." }];
}

/** Scope-set ids to the scopes (sets are immutable, so the stored ids still name what they named). */
export async function expandFacts(db: Db | Tx, facts: CompactFacts): Promise<ResetFacts> {
  const ids = [
    facts.account.scopes,
    ...(facts.parent ? [facts.parent.scopes] : []),
    ...facts.keys.map((k) => k.scopes),
    ...facts.subusers.map((s) => s.scopes),
  ];
  const sets = await scopeSetsById(db, ids);
  const scopes = (id: number) => sets.get(id)?.scopes ?? [];
  return {
    account: { ...facts.account, scopes: scopes(facts.account.scopes) },
    parent: facts.parent ? { ...facts.parent, scopes: scopes(facts.parent.scopes) } : null,
    keys: facts.keys.map((k) => ({ ...k, scopes: scopes(k.scopes) })),
    subusers: facts.subusers.map((s) => ({ ...s, scopes: scopes(s.scopes) })),
  };
}

/**
 * The ticket's assignee, as the helpdesk says now (`fresh`: asked again, for a
 * decision) or as recently read (for a page). A helpdesk not connected or not
 * answering leaves it unknown, and the other rules still apply.
 */
export async function readAssignee(ticketId: string, options: { fresh: boolean }): Promise<AssigneeKnowledge> {
  const connection = helpdeskConnection();
  if (!connection.connected) return { state: "unknown", reason: "The helpdesk is not connected, so the ticket's assignee is unknown." };
  let ticket: ZendeskTicket;
  if (options.fresh) {
    try {
      ticket = await getZendesk("console")!.getTicket(ticketId);
    } catch (error) {
      return {
        state: "unknown",
        reason: `The helpdesk did not answer${isZendeskError(error) ? ` (${error.kind})` : ""}, so the ticket's assignee is unknown.`,
      };
    }
  } else {
    const lookup = await readTicket(ticketId);
    if (lookup.state !== "verified") return { state: "unknown", reason: "The helpdesk did not say who the ticket's assignee is." };
    ticket = lookup.ticket;
  }
  if (ticket.assigneeId === null) return { state: "none" };
  const email = ticket.assignee?.email ?? null;
  if (email === null) return { state: "unknown", reason: "The helpdesk did not give the assignee's e-mail address." };
  const staff = await getDb().staffUser.findFirst({ where: { email: { equals: email, mode: "insensitive" } }, select: { id: true } });
  return { state: "known", name: ticket.assignee?.name ?? null, email, staffId: staff?.id ?? null };
}

export const SCOPEDESK_ACTOR: Actor = { id: null, name: "Scopedesk", email: null };

/**
 * One step of a request, inside the transaction that changed its state: the
 * audit event (approval.<step>) and, where the step has one, the internal
 * note for the ticket, queued for delivery.
 */
export async function recordApprovalStep(
  tx: Tx,
  row: ResetApproval,
  step: ApprovalNoteStep | "executed",
  input: { actor: Actor; meta: RequestMeta; comment?: string | null; changes?: readonly FactChange[]; details?: Record<string, unknown> },
): Promise<void> {
  const at = new Date();
  let noted = false;
  if (step !== "executed") {
    const plan = row.plan as unknown as ApprovalPlan;
    const body = renderApprovalNote({
      step,
      target: { kind: row.kind, account: plan.account, subusers: plan.kind === "family" ? plan.subusers.length : 0 },
      requestedBy: { name: row.requestedByName, email: row.requestedByEmail },
      actor:
        input.actor.id === null && input.actor.name === SCOPEDESK_ACTOR.name
          ? null
          : { name: input.actor.name ?? "", email: input.actor.email ?? "" },
      at,
      rules: row.rules as unknown as FiredRule[],
      reason: row.reason,
      comment: input.comment ?? null,
      plan: planSummary(plan),
      expiresAt: row.expiresAt,
      // What the "approved" note promises is the configuration in force.
      executes: getConfig().approvals.executes,
      changes: input.changes,
      url: approvalPageUrl(row.id),
    });
    noted = await queueApprovalNote(tx, {
      approvalId: row.id,
      accountId: row.accountId,
      ticketId: row.ticketId,
      kind: `approval_${step}`,
      body,
      requestedBy: { id: input.actor.id, name: input.actor.name ?? SCOPEDESK_ACTOR.name! },
    });
  }
  await appendAuditEvent(tx, {
    actor: input.actor,
    action: `approval.${step}`,
    target: { type: "reset_approval", id: row.id },
    ticketId: row.ticketId,
    details: {
      approvalId: row.id,
      accountId: row.accountId,
      kind: row.kind,
      planHash: row.planHash,
      ...(input.comment ? { comment: input.comment } : {}),
      ...(input.changes ? { changes: input.changes.map((c) => c.text) } : {}),
      ...input.details,
      noteQueuedForHelpdesk: noted,
    },
    meta: input.meta,
  });
}

/**
 * Ends a live request that can no longer be carried out (expired, or void
 * because the account changed), with its audit event and note. Returns false
 * when it was no longer live (someone else ended or decided it first).
 */
export async function endApproval(
  tx: Tx,
  row: ResetApproval,
  state: "expired" | "voided" | "cancelled",
  input: { actor: Actor; meta: RequestMeta; changes?: readonly FactChange[]; comment?: string | null },
): Promise<boolean> {
  if (row.state !== "pending" && row.state !== "approved") return false;
  const now = new Date();
  const ended = await tx.resetApproval.update({
    where: { id: row.id },
    data: {
      state,
      endedAt: now,
      endedByName: input.actor.id === null ? null : input.actor.name,
      executingSince: null,
      executingByName: null,
      ...(input.changes ? { changes: input.changes.map((c) => ({ ...c })) } : {}),
      updatedAt: now,
    },
  });
  await recordApprovalStep(tx, ended, state, input);
  return true;
}

/** Whether a live request's time is up. */
export function isPastExpiry(row: Pick<ResetApproval, "expiresAt">, now = new Date()): boolean {
  return row.expiresAt.getTime() <= now.getTime();
}
