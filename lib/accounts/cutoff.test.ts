import { describe, expect, it } from "vitest";
import { cutoffSide, DEFAULT_SIGNUP_CUTOFF_ISO, eraseJobVerdict, formatUtc, parseInstant } from "./cutoff";

const CUTOFF = parseInstant(DEFAULT_SIGNUP_CUTOFF_ISO);
const BOTH = ["mail.send", "recipients.erasejob.create", "recipients.erasejob.read"];
const at = (iso: string) => parseInstant(iso);
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);

describe("parseInstant", () => {
  it("parses Z and offsets to the same instant", () => {
    expect(CUTOFF.toISOString()).toBe("2023-07-25T00:00:00.000Z");
    expect(at("2023-07-24T20:00:00-04:00").getTime()).toBe(CUTOFF.getTime());
    expect(at("2023-07-25T05:30:00+05:30").getTime()).toBe(CUTOFF.getTime());
    expect(at("2023-07-25T05:30:00+0530").getTime()).toBe(CUTOFF.getTime());
    expect(at("2023-07-25T00:00:00+00:00").getTime()).toBe(CUTOFF.getTime());
    expect(at("2023-07-25t00:00z").getTime()).toBe(CUTOFF.getTime());
  });

  it("keeps milliseconds and drops finer digits", () => {
    expect(at("2023-07-24T23:59:59.999Z").toISOString()).toBe("2023-07-24T23:59:59.999Z");
    expect(at("2023-07-24T23:59:59.5Z").toISOString()).toBe("2023-07-24T23:59:59.500Z");
    expect(at("2023-07-24T23:59:59.123456789Z").toISOString()).toBe("2023-07-24T23:59:59.123Z");
  });

  it("handles leap days and years below 100", () => {
    expect(at("2024-02-29T12:00:00Z").toISOString()).toBe("2024-02-29T12:00:00.000Z");
    expect(at("0050-01-01T00:00:00Z").getUTCFullYear()).toBe(50);
  });

  it("throws a clear error on anything without a zone, malformed or out of range", () => {
    const bad = [
      "",
      "   ",
      "garbage",
      "2023-07-25",
      "2023-07-25T00:00:00",
      "2023-07-25 00:00:00 UTC",
      "2023/07/25T00:00:00Z",
      "1690243200000",
      "2023-07-25T00:00:00+5",
      "2023-07-25T00:00:00Z trailing",
      "Tue, 25 Jul 2023 00:00:00 GMT",
    ];
    for (const text of bad) expect(() => parseInstant(text), text).toThrow(/Not a date-time with a time zone/);
    for (const text of [
      "2023-02-29T00:00:00Z",
      "2023-13-01T00:00:00Z",
      "2023-07-25T24:00:00Z",
      "2023-07-25T00:60:00Z",
      "2023-07-25T00:00:60Z",
      "2023-07-25T00:00:00+24:00",
      "2023-00-10T00:00:00Z",
    ]) {
      expect(() => parseInstant(text), text).toThrow(/out of range/);
    }
  });

  it("does not echo huge inputs in the message", () => {
    try {
      parseInstant("x".repeat(10_000));
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message.length).toBeLessThan(250);
    }
  });
});

describe("formatUtc", () => {
  it("formats as YYYY-MM-DD HH:MM:SS UTC", () => {
    expect(formatUtc(CUTOFF)).toBe("2023-07-25 00:00:00 UTC");
    expect(formatUtc(at("2021-03-04T09:22:05.999-05:00"))).toBe("2021-03-04 14:22:05 UTC");
  });
  it("rejects invalid dates", () => {
    expect(() => formatUtc(new Date(Number.NaN))).toThrow(/not a valid date/);
  });
});

describe("cutoffSide", () => {
  it("counts the cutoff instant itself as on_or_after", () => {
    expect(cutoffSide(CUTOFF, CUTOFF)).toBe("on_or_after");
    expect(cutoffSide(plus(CUTOFF, -1000), CUTOFF)).toBe("before");
    expect(cutoffSide(plus(CUTOFF, 1000), CUTOFF)).toBe("on_or_after");
    expect(cutoffSide(plus(CUTOFF, -1), CUTOFF)).toBe("before");
    expect(cutoffSide(at("2023-07-24T20:00:00-04:00"), CUTOFF)).toBe("on_or_after");
    expect(cutoffSide(at("2023-07-24T19:59:59-04:00"), CUTOFF)).toBe("before");
  });
  it("rejects invalid dates", () => {
    expect(() => cutoffSide(new Date("nope"), CUTOFF)).toThrow(/signup date/);
    expect(() => cutoffSide(CUTOFF, new Date("nope"))).toThrow(/cutoff/);
  });
});

describe("eraseJobVerdict", () => {
  it("before the cutoff, missing both: reset needed", () => {
    const v = eraseJobVerdict({ signedUpAt: at("2021-03-04T14:22:00Z"), scopes: ["mail.send"], cutoff: CUTOFF });
    expect(v).toMatchObject({ side: "before", expectedByDate: false, needsReset: true, anomaly: null, status: "reset_needed" });
    expect(v.scopes.missing).toEqual(["recipients.erasejob.create", "recipients.erasejob.read"]);
    expect(v.headline).toBe("Erase-job scopes missing: reset needed");
    expect(v.explanation).toBe(
      "Signed up 2021-03-04 14:22 UTC, before the 2023-07-25 00:00 UTC cutoff, so these scopes are not enabled by default. " +
        "The account lacks recipients.erasejob.create and recipients.erasejob.read; reset its scopes to add them.",
    );
  });

  it("before the cutoff with only one scope counts as missing", () => {
    const v = eraseJobVerdict({ signedUpAt: at("2021-03-04T14:22:00Z"), scopes: ["recipients.erasejob.read"], cutoff: CUTOFF });
    expect(v.status).toBe("reset_needed");
    expect(v.needsReset).toBe(true);
    expect(v.scopes).toMatchObject({ create: false, read: true, both: false });
    expect(v.explanation).toContain("lacks recipients.erasejob.create (it has recipients.erasejob.read)");
  });

  it("before the cutoff with both: ok, probably reset before", () => {
    const v = eraseJobVerdict({ signedUpAt: plus(CUTOFF, -1000), scopes: BOTH, cutoff: CUTOFF });
    expect(v).toMatchObject({ side: "before", expectedByDate: false, needsReset: false, anomaly: null, status: "ok" });
    expect(v.explanation).toContain("probably reset before");
    // Seconds matter here, so they are shown.
    expect(v.explanation).toContain("Signed up 2023-07-24 23:59:59 UTC, before the 2023-07-25 00:00:00 UTC cutoff");
  });

  it("at the cutoff instant with both: ok, enabled by default", () => {
    const v = eraseJobVerdict({ signedUpAt: CUTOFF, scopes: BOTH, cutoff: CUTOFF });
    expect(v).toMatchObject({ side: "on_or_after", expectedByDate: true, needsReset: false, anomaly: null, status: "ok" });
    expect(v.explanation).toContain("on or after the 2023-07-25 00:00 UTC cutoff, so these scopes are enabled by default");
    expect(v.explanation).not.toContain("probably");
  });

  it("after the cutoff but missing one: anomaly, still needs a reset", () => {
    const v = eraseJobVerdict({ signedUpAt: plus(CUTOFF, 1000), scopes: ["recipients.erasejob.create"], cutoff: CUTOFF });
    expect(v).toMatchObject({
      side: "on_or_after",
      expectedByDate: true,
      needsReset: true,
      anomaly: "missing_after_cutoff",
      status: "anomaly",
    });
    expect(v.headline).toMatch(/unexpectedly missing/);
    expect(v.explanation).toContain("lacks recipients.erasejob.read");
    expect(v.explanation).toContain("unexpected");
  });

  it("at the offset form of the cutoff with nothing: anomaly", () => {
    const v = eraseJobVerdict({ signedUpAt: at("2023-07-24T20:00:00-04:00"), scopes: [], cutoff: CUTOFF });
    expect(v.status).toBe("anomaly");
    expect(v.scopes.missing).toHaveLength(2);
  });

  it("uses a custom cutoff", () => {
    const cutoff = at("2024-01-01T00:00:00Z");
    const signedUpAt = at("2023-09-01T00:00:00Z");
    expect(eraseJobVerdict({ signedUpAt, scopes: [], cutoff }).status).toBe("reset_needed");
    expect(eraseJobVerdict({ signedUpAt, scopes: [], cutoff: CUTOFF }).status).toBe("anomaly");
    expect(eraseJobVerdict({ signedUpAt, scopes: [], cutoff }).explanation).toContain("before the 2024-01-01 00:00 UTC cutoff");
  });

  it("ignores surrounding whitespace in stored scopes", () => {
    const v = eraseJobVerdict({ signedUpAt: CUTOFF, scopes: [" recipients.erasejob.create", "recipients.erasejob.read "], cutoff: CUTOFF });
    expect(v.status).toBe("ok");
  });
});
