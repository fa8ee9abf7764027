import "server-only";
import { getConfig } from "@/lib/platform/config";
import { scopeSetFingerprint } from "@/lib/scopes/fingerprint";
import { previewFingerprint, sha256 } from "./load-reset-subject";
import { offersMinimalPlan, type ResetMode } from "./plan";
import { previewIdentity, previewReset, type ResetPreview, type ResetSubject } from "./preview";

/**
 * The reset choices the account page offers, as the JSON the dialog needs:
 * the default plan, the minimal plan where the default would remove scopes,
 * each with the key losses it would cause and the fingerprints a
 * confirmation must carry.
 */
export function describeResetOptions(subject: ResetSubject) {
  const cutoff = getConfig().signupCutoff;
  const byDefault = previewReset(subject, { mode: "default", cutoff });
  const minimal = previewReset(subject, { mode: "minimal", cutoff });
  return {
    /** Send as expectedFingerprint. */
    previewFingerprint: previewFingerprint(subject),
    blocked: byDefault.blocked,
    parent: subject.parent ? { id: subject.parent.id, username: subject.parent.username } : null,
    anomaly: byDefault.impact.anomaly,
    subusersLackingEraseJob: byDefault.impact.subusersLackingEraseJob,
    default: planView(byDefault),
    /** Offered where the default plan removes scopes and the minimal one adds the erase-job scopes. */
    minimal: offersMinimalPlan(byDefault.plan, minimal.plan) && !minimal.blocked ? planView(minimal) : null,
  };
}

export type ResetOptions = ReturnType<typeof describeResetOptions>;
export type ResetPlanView = ReturnType<typeof planView>;

/** One plan as the dialog, the approval request and its page show it. */
export function planView({ plan, impact, keyLossesIdentity }: ResetPreview) {
  return {
    mode: plan.mode,
    added: plan.added,
    removed: plan.removed,
    keptCount: plan.kept.length,
    afterCount: plan.after.length,
    preservedPlatformManaged: plan.preservedPlatformManaged,
    withheldByParent: plan.withheldByParent,
    eraseJobAfter: plan.eraseJobAfter,
    nothingToDo: plan.nothingToDo,
    keyImpact: {
      /** Send as acknowledgedKeyImpact when losses is not empty. */
      fingerprint: keyLossesIdentity === null ? null : sha256(keyLossesIdentity),
      losses: impact.losses,
    },
    keysLackingEraseJob: impact.keysLackingEraseJob,
  };
}

/**
 * A family reset's preview: the parent's plan (when it lacks the scopes), and
 * each subuser's plan as it will be once the parent is reset, with the
 * fingerprint that subuser's confirmation must carry then.
 */
export function describeFamilyReset(subject: ResetSubject, parentMode: ResetMode) {
  const cutoff = getConfig().signupCutoff;
  const parentPreview = previewReset(subject, { mode: parentMode, cutoff });
  const parentNeedsReset = !parentPreview.plan.nothingToDo;
  const parentAfter = parentNeedsReset ? parentPreview.plan.after : subject.account.scopes;
  const parentAfterSet = {
    id: subject.account.id,
    username: subject.account.username,
    scopes: parentAfter,
    fingerprint: scopeSetFingerprint(parentAfter),
  };
  const subusers = subject.subusers.map((sub) => {
    const subSubject: ResetSubject = {
      // The subuser's own fields that matter for its plan; signup dates are not needed for a subuser's verdict here.
      account: {
        id: sub.id,
        username: sub.username,
        email: "",
        signedUpAt: new Date(0),
        scopeSetId: 0,
        scopes: [...sub.scopes],
        fingerprint: scopeSetFingerprint(sub.scopes),
      },
      parent: parentAfterSet,
      keys: [...sub.keys],
      subusers: [],
    };
    const preview = previewReset(subSubject, { mode: "default", cutoff });
    return {
      id: sub.id,
      username: sub.username,
      needsReset: !preview.plan.eraseJobBefore.both,
      expectedFingerprint: sha256(previewIdentity(subSubject)),
      plan: planView(preview),
    };
  });
  return {
    parent: {
      needsReset: parentNeedsReset,
      expectedFingerprint: previewFingerprint(subject),
      plan: planView(parentPreview),
      subusersKeyLosses: parentPreview.impact.losses.filter((l) => l.accountId !== subject.account.id),
    },
    subusers: subusers.filter((s) => s.needsReset),
  };
}

export type FamilyResetPreview = ReturnType<typeof describeFamilyReset>;
