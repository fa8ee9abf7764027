import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/platform/errors";
import { auditVisibility } from "./visibility";

const id = "3f2b8c1e-7a4d-4e1b-9c2a-1b2c3d4e5f60";

describe("auditVisibility", () => {
  it("gives leads and admins everything", () => {
    expect(auditVisibility({ id, role: "lead" })).toEqual({ scope: "all" });
    expect(auditVisibility({ id, role: "admin" })).toEqual({ scope: "all" });
  });

  it("limits an agent to their own resets", () => {
    expect(auditVisibility({ id, role: "agent" })).toEqual({ scope: "own", actorId: id });
  });

  it("refuses a viewer", () => {
    expect(() => auditVisibility({ id, role: "viewer" })).toThrow(AppError);
    try {
      auditVisibility({ id, role: "viewer" });
    } catch (error) {
      expect((error as AppError).status).toBe(403);
    }
  });
});
