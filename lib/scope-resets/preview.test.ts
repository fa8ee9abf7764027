import { describe, expect, it } from "vitest";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, isPlatformManagedScope } from "@/lib/scopes/catalog";
import { previewIdentity, previewReset, type ResetSubject } from "./preview";

const CUTOFF = new Date("2023-07-25T00:00:00Z");
const ADMIN = ADMIN_SCOPES.filter((s) => !isPlatformManagedScope(s) && !(ERASE_JOB_SCOPES as readonly string[]).includes(s));

function subject(overrides: Partial<ResetSubject> & { scopes?: string[]; signedUpAt?: Date } = {}): ResetSubject {
  const { scopes = ADMIN, signedUpAt = new Date("2019-03-14T10:22:05Z"), ...rest } = overrides;
  return {
    account: { id: 10, username: "acme", email: "ops@acme.example", signedUpAt, scopeSetId: 1, scopes, fingerprint: "f".repeat(64) },
    parent: null,
    keys: [],
    subusers: [],
    ...rest,
  };
}

describe("previewReset", () => {
  it("blocks a subuser's reset while its parent lacks the erase-job scopes, and says to reset the parent", () => {
    const preview = previewReset(subject({ parent: { id: 9, username: "acme-parent", scopes: ADMIN, fingerprint: "a".repeat(64) } }), {
      mode: "default",
      cutoff: CUTOFF,
    });
    expect(preview.blocked).toEqual({
      code: "parent_lacks_scopes",
      message: expect.stringMatching(/acme-parent \(#9\) lacks .*Reset the parent first/),
      parent: { id: 9, username: "acme-parent" },
    });
    expect(preview.impact.parent).toEqual({ id: 9, username: "acme-parent" });
  });

  it("does not block when the parent has them", () => {
    const parent = { id: 9, username: "p", scopes: [...ADMIN, ...ERASE_JOB_SCOPES], fingerprint: "a".repeat(64) };
    expect(previewReset(subject({ parent }), { mode: "default", cutoff: CUTOFF }).blocked).toBeNull();
  });

  it("carries the anomaly when the verdict is one", () => {
    const late = previewReset(subject({ signedUpAt: new Date("2024-05-05T12:00:00Z") }), { mode: "default", cutoff: CUTOFF });
    expect(late.impact.anomaly).toMatch(/unexpected for this signup date/);
    expect(previewReset(subject(), { mode: "default", cutoff: CUTOFF }).impact.anomaly).toBeNull();
  });

  it("binds an acknowledgement only when a key loses something", () => {
    const keys = [{ id: "k", name: "k", scopes: ["mail.send", "email_activity.read"] }];
    expect(
      previewReset(subject({ scopes: [...ADMIN, "email_activity.read"], keys }), { mode: "default", cutoff: CUTOFF }).keyLossesIdentity,
    ).not.toBeNull();
    expect(
      previewReset(subject({ scopes: [...ADMIN, "email_activity.read"], keys }), { mode: "minimal", cutoff: CUTOFF }).keyLossesIdentity,
    ).toBeNull();
  });
});

describe("previewIdentity", () => {
  it("is the scope-set fingerprint for a parent, and covers the parent's too for a subuser", () => {
    expect(previewIdentity(subject())).toBe("f".repeat(64));
    expect(previewIdentity(subject({ parent: { id: 9, username: "p", scopes: [], fingerprint: "a".repeat(64) } }))).toBe(
      `${"f".repeat(64)}\n${"a".repeat(64)}`,
    );
  });
});
