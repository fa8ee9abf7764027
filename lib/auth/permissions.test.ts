import { describe, expect, it } from "vitest";
import { can, PERMISSIONS, roleFromGroups, ROLES } from "./permissions";

const map = { "sd-viewer": "viewer", "sd-agent": "agent", "sd-lead": "lead", "sd-admin": "admin" } as const;

describe("permission table", () => {
  it("gives each role everything the role below it has", () => {
    for (let i = 1; i < ROLES.length; i++) {
      for (const p of PERMISSIONS) {
        if (can(ROLES[i - 1]!, p)) expect(can(ROLES[i]!, p), `${ROLES[i]} should have ${p}`).toBe(true);
      }
    }
  });

  it("lets agents reset but not viewers; audit of all only from lead up", () => {
    expect(can("viewer", "scopes:reset")).toBe(false);
    expect(can("agent", "scopes:reset")).toBe(true);
    expect(can("agent", "audit:read_all")).toBe(false);
    expect(can("lead", "audit:export")).toBe(true);
    expect(can("agent", "audit:export")).toBe(false);
  });

  it("lets leads and admins decide approval requests, never an agent or a viewer", () => {
    expect(can("lead", "approvals:decide")).toBe(true);
    expect(can("admin", "approvals:decide")).toBe(true);
    expect(can("agent", "approvals:decide")).toBe(false);
    expect(can("viewer", "approvals:decide")).toBe(false);
  });
});

describe("roleFromGroups", () => {
  it("picks the strongest mapped group", () => {
    expect(roleFromGroups(["sd-viewer", "sd-lead", "other"], map)).toBe("lead");
  });
  it("accepts a space- or comma-separated string claim", () => {
    expect(roleFromGroups("other sd-agent", map)).toBe("agent");
  });
  it("returns null when no group maps, or the claim is missing or malformed", () => {
    expect(roleFromGroups(["other"], map)).toBeNull();
    expect(roleFromGroups(undefined, map)).toBeNull();
    expect(roleFromGroups([42, null], map)).toBeNull();
  });
});
