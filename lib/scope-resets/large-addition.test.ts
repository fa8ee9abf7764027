import { describe, expect, it } from "vitest";
import { largeAdditionNotice } from "./large-addition";

describe("largeAdditionNotice", () => {
  it("says when a small set gets many scopes, with the numbers", () => {
    expect(largeAdditionNotice({ added: 271, removed: 0, afterCount: 274 })).toBe(
      "This gives the account 271 scopes it does not have today, 274 in all (it has 3 now): review the list.",
    );
    expect(largeAdditionNotice({ added: 274, removed: 0, afterCount: 274 })).toBe(
      "This gives the account 274 scopes; it has none today: review the list.",
    );
  });

  it("stays silent for the usual legacy reset and for small additions", () => {
    expect(largeAdditionNotice({ added: 2, removed: 0, afterCount: 274 })).toBeNull();
    expect(largeAdditionNotice({ added: 19, removed: 0, afterCount: 20 })).toBeNull();
    expect(largeAdditionNotice({ added: 40, removed: 5, afterCount: 274 })).toBeNull();
  });

  it("counts removals when working out what the account has today", () => {
    // 30 before, 10 removed, 30 added: as many added as it had, so it is said.
    expect(largeAdditionNotice({ added: 30, removed: 10, afterCount: 50 })).toContain("(it has 30 now)");
    expect(largeAdditionNotice({ added: 29, removed: 10, afterCount: 49 })).toBeNull();
  });
});
