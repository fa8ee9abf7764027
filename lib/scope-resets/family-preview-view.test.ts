import { describe, expect, it } from "vitest";
import type { FamilyResetPreview } from "./describe-reset-options";
import { familyPreviewView } from "./family-preview-view";

type Sub = FamilyResetPreview["subusers"][number];

const plan = (added: string[], losses: Sub["plan"]["keyImpact"]["losses"] = []): Sub["plan"] => ({
  mode: "default",
  added,
  removed: [],
  keptCount: 1,
  afterCount: 1 + added.length,
  preservedPlatformManaged: [],
  withheldByParent: [],
  eraseJobAfter: { both: true, missing: [] } as unknown as Sub["plan"]["eraseJobAfter"],
  nothingToDo: false,
  keyImpact: { fingerprint: losses.length > 0 ? "f".repeat(64) : null, losses },
  keysLackingEraseJob: [],
});

const sub = (id: number, p: Sub["plan"]): Sub => ({
  id,
  username: `sub-${id}`,
  needsReset: true,
  expectedFingerprint: `${id}`.padStart(64, "0"),
  plan: p,
});

describe("familyPreviewView", () => {
  it("sends each distinct subuser plan once, and each subuser with its plan's index, fingerprint and own key losses", () => {
    const loss = { keyId: "k1", keyName: "old", accountId: 3, accountUsername: "sub-3", loses: ["stats.read"] };
    const described = {
      parent: {} as FamilyResetPreview["parent"],
      subusers: [sub(1, plan(["a", "b"])), sub(2, plan(["a", "b", "c"])), sub(3, plan(["a", "b"], [loss])), sub(4, plan(["a", "b"]))],
    } as FamilyResetPreview;
    const view = familyPreviewView(described);
    expect(view.subuserPlans.map((p) => p.added)).toEqual([
      ["a", "b"],
      ["a", "b", "c"],
    ]);
    expect(view.subusers.map((s) => [s.id, s.plan])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
      [4, 0],
    ]);
    // Key losses are a subuser's own, never shared through the plan.
    expect(view.subusers[2]!.keyImpact).toEqual({ fingerprint: "f".repeat(64), losses: [loss] });
    expect(view.subusers[0]!.keyImpact.losses).toEqual([]);
    expect(view.subuserPlans[0]).not.toHaveProperty("keyImpact");
    expect(view.subusers[3]!.expectedFingerprint).toBe("4".padStart(64, "0"));
  });
});
