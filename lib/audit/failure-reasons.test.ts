import { describe, expect, it } from "vitest";
import { failureInWords, failureKind } from "./failure-reasons";

describe("failureKind", () => {
  it.each([
    ["stale_preview: The account's scopes changed since you opened the preview.", "stale_preview"],
    ["already_reset: someone else reset the scopes of this account from the same preview.", "already_reset"],
    ["key_impact_unacknowledged: keys would lose scopes", "key_impact_unacknowledged"],
    ["parent_lacks_scopes: reset legacy-acme first", "parent_lacks_scopes"],
    ["Verification failed: after the update the account still lacks recipients.erasejob.create.", "verification_failed"],
    ["Internal error: the reset could not be completed (request id 8f0…).", "internal"],
    ["skipped: the parent's reset failed", "skipped"],
    ["something nobody planned for", "other"],
    ["other: a code named other is still other", "other"],
  ])("reads %j as %s", (stored, kind) => {
    expect(failureKind(stored)).toBe(kind);
  });

  it("has no kind for a reset that did not fail", () => {
    expect(failureKind(null)).toBeNull();
    expect(failureInWords(null)).toBeNull();
  });
});

describe("failureInWords", () => {
  it("says the kind in a sentence and keeps what was recorded after it", () => {
    expect(failureInWords("stale_preview: the scopes changed since the preview")).toMatchObject({
      kind: "stale_preview",
      label: "Account changed since the preview",
      sentence: expect.stringMatching(/changed after the agent opened the preview/),
      recorded: "the scopes changed since the preview",
    });
  });

  it("keeps an unknown reason whole", () => {
    expect(failureInWords("disk full")).toMatchObject({ kind: "other", recorded: "disk full" });
  });
});
