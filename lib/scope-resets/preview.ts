/**
 * Everything a reset would do to one account, from what the database holds
 * about it: the plan, what it means for keys and subusers, whether the parent
 * blocks it, and the texts the confirmation is bound to. The account page's
 * preview and the reset transaction both call this, so what the agent saw is
 * what the server checks. Pure.
 */
import { eraseJobVerdict } from "@/lib/accounts/cutoff";
import { computeKeyImpact, keyLossesIdentity, type ExistingKey, type SubuserWithKeys } from "./key-impact";
import type { ResetImpact } from "./notes";
import { planScopeReset, type ResetMode, type ScopeResetPlan } from "./plan";

export interface ResetSubject {
  account: { id: number; username: string; email: string; signedUpAt: Date; scopeSetId: number; scopes: string[]; fingerprint: string };
  /** The parent, when the account is a subuser. */
  parent: { id: number; username: string; scopes: string[]; fingerprint: string; scopeSetId?: number } | null;
  keys: ExistingKey[];
  /** The subusers with their keys, when the account is a parent. */
  subusers: SubuserWithKeys[];
}

export interface ResetBlock {
  code: "parent_lacks_scopes";
  message: string;
  parent: { id: number; username: string };
}

export interface ResetPreview {
  plan: ScopeResetPlan;
  impact: ResetImpact;
  /** Set when this reset cannot grant the erase-job scopes (a subuser whose parent lacks them). */
  blocked: ResetBlock | null;
  /** What an acknowledgement of the key losses must match (hash it); null when no key loses anything. */
  keyLossesIdentity: string | null;
}

export function previewReset(subject: ResetSubject, options: { mode: ResetMode; cutoff: Date }): ResetPreview {
  const { account, parent } = subject;
  const plan = planScopeReset({ current: account.scopes, parentScopes: parent?.scopes ?? null, mode: options.mode });
  const keyImpact = computeKeyImpact({
    account,
    before: plan.before,
    after: plan.after,
    parentScopes: parent?.scopes ?? null,
    keys: subject.keys,
    subusers: subject.subusers,
  });
  const verdict = eraseJobVerdict({ signedUpAt: account.signedUpAt, scopes: account.scopes, cutoff: options.cutoff });
  const impact: ResetImpact = {
    ...keyImpact,
    anomaly: verdict.anomaly ? verdict.explanation : null,
    parent: parent ? { id: parent.id, username: parent.username } : null,
  };
  const blocked: ResetBlock | null =
    parent && !plan.eraseJobAfter.both
      ? {
          code: "parent_lacks_scopes",
          message:
            `The parent account ${parent.username} (#${parent.id}) lacks ${plan.eraseJobAfter.missing.join(" and ")}, ` +
            "and a subuser never holds a scope its parent lacks. Reset the parent first.",
          parent: { id: parent.id, username: parent.username },
        }
      : null;
  return { plan, impact, blocked, keyLossesIdentity: keyImpact.losses.length > 0 ? keyLossesIdentity(keyImpact.losses) : null };
}

/**
 * What a confirmation's expectedFingerprint is compared with: the account's
 * scope set, and for a subuser its parent's too (the plan depends on both).
 * For a parent it is the scope-set fingerprint itself.
 */
export function previewIdentity(subject: ResetSubject): string {
  return subject.parent ? `${subject.account.fingerprint}\n${subject.parent.fingerprint}` : subject.account.fingerprint;
}
