import { describe, expect, it } from "vitest";
import { decodeTriageCursor, encodeTriageCursor, triageListQuerySchema } from "./triage-list-query";

const last = { receivedAt: new Date("2026-12-04T10:00:00.123Z"), ticketId: "4242" };

describe("the ticket list's query", () => {
  it("pages by an opaque cursor bound to its state", () => {
    const cursor = encodeTriageCursor("needs_reset", last);
    expect(decodeTriageCursor(cursor, "needs_reset")).toEqual({ ok: true, cursor: last });
    expect(decodeTriageCursor(cursor, null)).toMatchObject({ ok: false, message: expect.stringMatching(/another state/) });
    for (const bad of [
      "",
      "!!",
      Buffer.from("{}").toString("base64url"),
      Buffer.from('{"s":null,"a":"0001-01-01T00:00:00Z","t":"1"}').toString("base64url"),
    ]) {
      expect(decodeTriageCursor(bad, null).ok).toBe(false);
    }
  });

  it("takes a state, a limit and a cursor, and refuses anything else with a message naming it", () => {
    expect(triageListQuerySchema.parse({})).toEqual({ state: null, limit: 50, cursor: null });
    expect(triageListQuerySchema.parse({ state: "anomaly", limit: "10" })).toEqual({ state: "anomaly", limit: 10, cursor: null });
    // The current state a reset made since arrival gives, filterable as any other.
    expect(triageListQuerySchema.parse({ state: "reset_done" })).toEqual({ state: "reset_done", limit: 50, cursor: null });
    expect(decodeTriageCursor(encodeTriageCursor("reset_done", last), "reset_done")).toEqual({ ok: true, cursor: last });
    const issues = (input: object) => triageListQuerySchema.safeParse(input).error?.issues.map((i) => i.message) ?? [];
    expect(issues({ state: "everything" })).toEqual([expect.stringMatching(/^state must be one of needs_reset/)]);
    expect(issues({ limit: "0" })).toEqual(["limit must be a whole number from 1 to 200."]);
    expect(issues({ limit: "201" })).toEqual(["limit must be a whole number from 1 to 200."]);
    expect(issues({ other: "x" }).length).toBe(1);
    expect(issues({ cursor: "nope!" })).toEqual([expect.stringMatching(/cursor is malformed/)]);
  });
});
