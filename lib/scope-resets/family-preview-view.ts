/**
 * A family reset's preview as the dialog receives it (decision 046): each
 * distinct subuser plan once, and each subuser with the index of its plan,
 * its fingerprint and its own key losses. A family's subusers mostly share a
 * few scope sets, so 500 subusers cost 500 short rows and two or three plans
 * instead of 500 copies of a plan of ~270 scope names (4.6 MB measured, see
 * the decision). Pure.
 */
import type { FamilyResetPreview } from "./describe-reset-options";

type SubuserPlan = FamilyResetPreview["subusers"][number]["plan"];
export type SharedSubuserPlan = Omit<SubuserPlan, "keyImpact" | "keysLackingEraseJob">;

export function familyPreviewView(described: FamilyResetPreview) {
  const subuserPlans: SharedSubuserPlan[] = [];
  const index = new Map<string, number>();
  const subusers = described.subusers.map((s) => {
    const { keyImpact, keysLackingEraseJob, ...shared } = s.plan;
    const key = JSON.stringify(shared);
    let plan = index.get(key);
    if (plan === undefined) {
      plan = subuserPlans.push(shared) - 1;
      index.set(key, plan);
    }
    return {
      id: s.id,
      username: s.username,
      expectedFingerprint: s.expectedFingerprint,
      /** Index into subuserPlans. */
      plan,
      /** This subuser's own keys that lose scopes; send keyImpact.fingerprint as its acknowledgedKeyImpact when there are any. */
      keyImpact,
      /** How many of its keys lack the erase-job scopes after the reset (the notes and the reply name them). */
      keysLackingEraseJob: keysLackingEraseJob.length,
    };
  });
  return { parent: described.parent, subusers, subuserPlans };
}

export type FamilyPreviewView = ReturnType<typeof familyPreviewView>;
