import "server-only";
import { eraseJobVerdict } from "@/lib/accounts/cutoff";
import { getConfig } from "@/lib/platform/config";
import type { Db, Tx } from "@/lib/platform/db";
import { AppError } from "@/lib/platform/errors";
import type { FamilyResetPreview } from "@/lib/scope-resets/describe-reset-options";
import type { ResetPreview, ResetSubject } from "@/lib/scope-resets/preview";
import { approvalReasonText, approvalRules, type ApprovalPolicy, type FiredRule, type ResetRisk } from "./policy";

/** approval_required: the rules that fired, each with why in words. */
export interface ApprovalRequiredDetails {
  rules: FiredRule[];
}

/**
 * What the approval rules look at, read for one reset or a family, and the
 * refusal when any of them fires. The reset's own transaction calls this
 * under the account's lock (lib/scope-resets/perform-scope-reset.ts), and so
 * does an approval request, so both see the same facts.
 */
export function approvalPolicy(): ApprovalPolicy {
  return getConfig().approvals;
}

/**
 * The last successful reset of each account, leaving out the family reset
 * being carried out (its own parent was just reset by the same confirmation,
 * and replaying the confirmation must not trip over it).
 */
export async function lastResets(
  db: Db | Tx,
  accounts: readonly { id: number; username: string }[],
  options: { excludeFamilyResetId?: string | null } = {},
): Promise<ResetRisk["lastResets"]> {
  if (accounts.length === 0) return [];
  const rows = await db.scopeReset.groupBy({
    by: ["accountId"],
    where: {
      accountId: { in: accounts.map((a) => a.id) },
      outcome: "succeeded",
      ...(options.excludeFamilyResetId ? { OR: [{ familyResetId: null }, { familyResetId: { not: options.excludeFamilyResetId } }] } : {}),
    },
    _max: { createdAt: true },
  });
  return rows.flatMap((r) => {
    const account = accounts.find((a) => a.id === r.accountId);
    return account && r._max.createdAt ? [{ id: account.id, username: account.username, at: r._max.createdAt }] : [];
  });
}

/** One account's reset, from its preview as the transaction computed it. */
export function singleResetRisk(subject: ResetSubject, preview: ResetPreview, last: ResetRisk["lastResets"]): ResetRisk {
  const { account } = subject;
  return {
    keyLosses: preview.impact.losses,
    familyAccounts: null,
    anomalies: preview.impact.anomaly ? [{ id: account.id, username: account.username, explanation: preview.impact.anomaly }] : [],
    lastResets: last,
  };
}

/**
 * A family confirmation, before any of its accounts is reset: the parent
 * (when it needs a reset) and the subusers picked, their key losses, each
 * one's verdict and last reset.
 */
export async function familyResetRisk(
  db: Db | Tx,
  subject: ResetSubject,
  described: FamilyResetPreview,
  picked: readonly number[],
  options: { excludeFamilyResetId?: string | null } = {},
): Promise<ResetRisk> {
  const parent = subject.account;
  const subs = described.subusers.filter((s) => picked.includes(s.id));
  const resetting = [
    ...(described.parent.needsReset ? [{ id: parent.id, username: parent.username }] : []),
    ...subs.map((s) => ({ id: s.id, username: s.username })),
  ];
  const cutoff = getConfig().signupCutoff;
  const signups = await db.account.findMany({ where: { id: { in: subs.map((s) => s.id) } }, select: { id: true, signedUpAt: true } });
  const anomalies: { id: number; username: string; explanation: string }[] = [];
  const parentVerdict = eraseJobVerdict({ signedUpAt: parent.signedUpAt, scopes: parent.scopes, cutoff });
  if (described.parent.needsReset && parentVerdict.anomaly)
    anomalies.push({ id: parent.id, username: parent.username, explanation: parentVerdict.explanation });
  for (const s of subs) {
    const scopes = subject.subusers.find((x) => x.id === s.id)?.scopes ?? [];
    const signedUpAt = signups.find((x) => x.id === s.id)?.signedUpAt;
    if (!signedUpAt) continue;
    const verdict = eraseJobVerdict({ signedUpAt, scopes, cutoff });
    if (verdict.anomaly) anomalies.push({ id: s.id, username: s.username, explanation: verdict.explanation });
  }
  return {
    keyLosses: [
      ...(described.parent.needsReset ? described.parent.plan.keyImpact.losses : []),
      ...subs.flatMap((s) => s.plan.keyImpact.losses),
    ],
    familyAccounts: resetting.length,
    anomalies,
    lastResets: await lastResets(db, resetting, options),
  };
}

/** Throws approval_required when any rule fires. */
export function requireNoApproval(risk: ResetRisk, policy: ApprovalPolicy, now: Date): void {
  const fired = approvalRules(risk, policy, now);
  if (fired.length === 0) return;
  throw new AppError(
    "approval_required",
    `This reset needs a second staff member's approval: ${approvalReasonText(fired)} Request approval with a reason; a lead decides.`,
    { rules: fired } satisfies ApprovalRequiredDetails,
  );
}
