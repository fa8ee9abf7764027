import { describe, expect, it } from "vitest";
import { describeKeyUsage } from "./key-usage";

const NOW = new Date("2026-12-04T12:00:00Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const MINUTE = 60_000;
const DAY = 86_400_000;

describe("describeKeyUsage", () => {
  it("says never used, and that nothing running breaks", () => {
    expect(describeKeyUsage(null, NOW)).toEqual({
      label: "never used",
      recency: "never",
      consequence: "never used, so losing scopes breaks nothing running today",
    });
  });

  it("calls a key used within a week in use now, in minutes, hours or days", () => {
    expect(describeKeyUsage(ago(30_000), NOW)).toMatchObject({ label: "last used just now", recency: "recent" });
    expect(describeKeyUsage(ago(5 * MINUTE), NOW).label).toBe("last used 5 minutes ago");
    expect(describeKeyUsage(ago(60 * MINUTE), NOW).consequence).toBe("used 1 hour ago: in use now, so losing scopes breaks what it does");
    expect(describeKeyUsage(ago(3 * DAY), NOW)).toMatchObject({ label: "last used 3 days ago", recency: "recent" });
    expect(describeKeyUsage(ago(7 * DAY), NOW).recency).toBe("recent");
  });

  it("calls a key used within three months probably in use, and older ones probably not", () => {
    expect(describeKeyUsage(ago(8 * DAY), NOW)).toMatchObject({ recency: "weeks", consequence: "used 8 days ago: probably still in use" });
    expect(describeKeyUsage(ago(90 * DAY), NOW).recency).toBe("weeks");
    expect(describeKeyUsage(new Date(NOW.getTime() - 200 * DAY), NOW)).toEqual({
      label: "last used 6 months ago",
      recency: "stale",
      consequence: "unused for 6 months: probably no longer in use, so losing scopes matters less",
    });
    expect(describeKeyUsage(ago(800 * DAY), NOW).label).toBe("last used 2 years ago");
  });

  it("treats a time slightly ahead of this clock as just now", () => {
    expect(describeKeyUsage(ago(-5_000), NOW).label).toBe("last used just now");
  });
});
