import { describe, expect, it } from "vitest";
import { formatRelative, formatUtcShort } from "./format-time";

const NOW = "2026-12-04T12:00:00.000Z";

describe("formatRelative", () => {
  it("says how long ago, or how long until, in whole minutes, hours or days", () => {
    expect(formatRelative("2026-12-04T11:59:30.000Z", NOW)).toBe("just now");
    expect(formatRelative("2026-12-04T11:55:00.000Z", NOW)).toBe("5 minutes ago");
    expect(formatRelative("2026-12-04T11:00:00.000Z", NOW)).toBe("1 hour ago");
    expect(formatRelative("2026-12-05T11:00:00.000Z", NOW)).toBe("in 23 hours");
    expect(formatRelative("2026-12-06T12:00:00.000Z", NOW)).toBe("in 2 days");
  });
});

describe("formatUtcShort", () => {
  it("shows UTC, whatever the machine's zone", () => {
    expect(formatUtcShort(NOW)).toMatch(/^04 Dec 2026, 12:00:00 UTC$/);
  });
});
