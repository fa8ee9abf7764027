import "server-only";
import { randomUUID } from "node:crypto";
import type { RequestMeta } from "@/lib/audit/append-audit-event";
import type { StaffSession } from "@/lib/auth/get-staff";
import { getDb, type Tx } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import { confirmPreview, type KeyImpactUnacknowledgedDetails, type StalePreviewDetails } from "@/lib/scope-resets/confirm-preview";
import { describeFamilyReset, describeResetOptions, planView } from "@/lib/scope-resets/describe-reset-options";
import { loadResetSubject, previewFingerprint, type LoadedResetSubject } from "@/lib/scope-resets/load-reset-subject";
import { getConfig } from "@/lib/platform/config";
import { compactFacts } from "./facts";
import { factsFingerprintOf, planHashOf, recordApprovalStep, type ApprovalConfirmation, type ApprovalPlan } from "./approval-record";
import { approvalRules, type AssigneeKnowledge, type FiredRule } from "./policy";
import { familyResetRisk, lastResets, singleResetRisk } from "./reset-risk";
import type { ApprovalRequestInput } from "./request-schema";

/** conflict on a request: the account's live request, or the request this key already made. */
export interface ApprovalConflictDetails {
  approvalId: string;
  state: string;
}

/**
 * An agent asks for approval of a reset the rules say needs it: in one
 * transaction, with the account locked (as a reset would), the confirmation
 * is checked exactly as the reset would check it (preview, parent, key losses
 * acknowledged), the rules are applied again (a request nothing fires for is
 * refused: reset it directly), and the request is stored with the plan, the
 * facts it depends on and their hash, its audit event and its ticket note.
 * One live request per account; the same idempotency key again answers the
 * first request.
 */
export async function requestApproval(input: {
  accountId: number;
  request: ApprovalRequestInput;
  staff: StaffSession;
  meta: RequestMeta;
  /** The ticket's assignee as the helpdesk says now (shown to the approver; the decision asks again). */
  assignee: AssigneeKnowledge;
}): Promise<{ approvalId: string; replayed: boolean }> {
  const { accountId, request, staff, meta } = input;
  const earlier = await getDb().resetApproval.findUnique({
    where: { requestedById_idempotencyKey: { requestedById: staff.id, idempotencyKey: request.idempotencyKey } },
    select: { id: true, accountId: true, state: true },
  });
  if (earlier) {
    if (earlier.accountId !== accountId) {
      throw new AppError(
        "idempotency_mismatch",
        "This idempotency key was already used for another approval request. Open the dialog again.",
        {
          resetId: earlier.id,
        },
      );
    }
    return { approvalId: earlier.id, replayed: true };
  }

  const policy = getConfig().approvals;
  return getDb().$transaction(
    async (tx) => {
      const subject = await loadResetSubject(tx, accountId, { lock: true });
      const live = await tx.resetApproval.findFirst({
        where: { accountId, state: { in: ["pending", "approved"] } },
        select: { id: true, state: true },
      });
      if (live) {
        throw new AppError(
          "conflict",
          `This account already has an approval request ${live.state === "pending" ? "waiting for a decision" : "approved and not yet carried out"}: open it instead of asking again.`,
          { approvalId: live.id, state: live.state } satisfies ApprovalConflictDetails,
        );
      }
      const now = new Date();
      const { confirmation, plan, fired } =
        request.kind === "reset" ? await singleRequest(tx, subject, request, now) : await familyRequest(tx, subject, request, now);
      if (fired.length === 0) {
        throw new AppError("conflict", "This reset needs no approval (no rule applies to it now): reset it directly.", {
          approvalId: "",
          state: "not_needed",
        } satisfies ApprovalConflictDetails);
      }
      const facts = compactFacts(subject);
      const factsFingerprint = factsFingerprintOf(facts);
      const id = randomUUID();
      const row = await tx.resetApproval.create({
        data: {
          id,
          kind: request.kind,
          accountId,
          ticketId: request.ticket.ticketId,
          ticketUrl: request.ticket.url,
          requestedById: staff.id,
          requestedByName: staff.name,
          requestedByEmail: staff.email,
          idempotencyKey: request.idempotencyKey,
          reason: request.reason,
          rules: fired.map((f) => ({ ...f })),
          confirmation: JSON.parse(JSON.stringify(confirmation)),
          plan: JSON.parse(JSON.stringify(plan)),
          facts: JSON.parse(JSON.stringify(facts)),
          factsFingerprint,
          planHash: planHashOf(confirmation, factsFingerprint),
          assignee: JSON.parse(JSON.stringify(input.assignee)),
          expiresAt: new Date(now.getTime() + policy.ttlMs),
          createdAt: now,
          updatedAt: now,
        },
      });
      await recordApprovalStep(tx, row, "requested", {
        actor: { id: staff.id, name: staff.name, email: staff.email },
        meta,
        details: {
          rules: fired.map((f) => f.rule),
          reason: request.reason,
          expiresAt: row.expiresAt.toISOString(),
          assignee: input.assignee.state,
        },
      });
      return { approvalId: id, replayed: false };
    },
    { maxWait: 10_000, timeout: 15_000 },
  );
}

async function singleRequest(tx: Tx, subject: LoadedResetSubject, request: Extract<ApprovalRequestInput, { kind: "reset" }>, now: Date) {
  // The same checks as the reset's own transaction: what the agent confirmed is what is asked for.
  const preview = await confirmPreview(tx, subject, { ...request, reason: request.reason });
  const last = await lastResets(tx, [subject.account]);
  const fired = approvalRules(singleResetRisk(subject, preview, last), getConfig().approvals, now);
  const options = describeResetOptions(subject);
  const confirmation: ApprovalConfirmation = {
    kind: "reset",
    expectedFingerprint: request.expectedFingerprint,
    mode: request.mode,
    acknowledgedKeyImpact: request.acknowledgedKeyImpact ?? null,
  };
  const plan: ApprovalPlan = {
    kind: "reset",
    account: { id: subject.account.id, username: subject.account.username },
    plan: planView(preview),
    anomaly: options.anomaly,
    parent: options.parent,
    subusersLackingEraseJob: options.subusersLackingEraseJob.map((s) => ({ id: s.id, username: s.username })),
  };
  return { confirmation, plan, fired };
}

async function familyRequest(tx: Tx, subject: LoadedResetSubject, request: Extract<ApprovalRequestInput, { kind: "family" }>, now: Date) {
  if (subject.parent !== null) throw new AppError("bad_request", "A family reset starts from a parent account; this account is a subuser.");
  const described = describeFamilyReset(subject, request.parent?.mode ?? "default");
  const stale = () =>
    new AppError(
      "stale_preview",
      "The family's scopes changed since you opened the preview. Review again: reload the account and confirm the new plan.",
      {
        currentFingerprint: previewFingerprint(subject),
      } satisfies StalePreviewDetails,
    );
  const unacknowledged = (losses: KeyImpactUnacknowledgedDetails["keyImpact"]) =>
    new AppError(
      "key_impact_unacknowledged",
      "Existing API keys would lose scopes they use. Review the list and confirm that you acknowledge it.",
      { keyImpact: losses } satisfies KeyImpactUnacknowledgedDetails,
    );
  if (request.parent) {
    if (request.parent.expectedFingerprint !== described.parent.expectedFingerprint) throw stale();
    const fp = described.parent.plan.keyImpact.fingerprint;
    if (fp !== null && request.parent.acknowledgedKeyImpact !== fp)
      throw unacknowledged({ fingerprint: fp, losses: described.parent.plan.keyImpact.losses });
  }
  const picked: { id: number; username: string; plan: (typeof described.subusers)[number]["plan"] }[] = [];
  for (const s of request.subusers) {
    const sub = described.subusers.find((d) => d.id === s.id);
    if (!sub) {
      throw new AppError(
        "bad_request",
        `Account ${s.id} is not a subuser of this account lacking the erase-job scopes. Reload the family preview.`,
        {
          field: "subusers",
        },
      );
    }
    if (sub.expectedFingerprint !== s.expectedFingerprint) throw stale();
    const fp = sub.plan.keyImpact.fingerprint;
    if (fp !== null && s.acknowledgedKeyImpact !== fp) throw unacknowledged({ fingerprint: fp, losses: sub.plan.keyImpact.losses });
    picked.push({ id: sub.id, username: sub.username, plan: sub.plan });
  }
  const parentResets = request.parent !== null && described.parent.needsReset;
  const risk = await familyResetRisk(
    tx,
    subject,
    { ...described, parent: { ...described.parent, needsReset: parentResets } },
    picked.map((p) => p.id),
  );
  const fired: FiredRule[] = approvalRules(risk, getConfig().approvals, now);
  const confirmation: ApprovalConfirmation = {
    kind: "family",
    parent: request.parent
      ? {
          expectedFingerprint: request.parent.expectedFingerprint,
          mode: request.parent.mode,
          acknowledgedKeyImpact: request.parent.acknowledgedKeyImpact ?? null,
        }
      : null,
    subusers: request.subusers.map((s) => ({
      id: s.id,
      expectedFingerprint: s.expectedFingerprint,
      mode: s.mode,
      acknowledgedKeyImpact: s.acknowledgedKeyImpact ?? null,
    })),
  };
  const plan: ApprovalPlan = {
    kind: "family",
    account: { id: subject.account.id, username: subject.account.username },
    parent: { needsReset: parentResets, mode: request.parent?.mode ?? "default", plan: described.parent.plan },
    subusers: picked,
  };
  return { confirmation, plan, fired };
}
