import { describe, expect, it } from "vitest";
import { describeDeliveryState, isDeliveryPending, notesDeliveryState } from "./delivery-state";

describe("notesDeliveryState", () => {
  it.each([
    [[], "none"],
    [["delivered", "delivered"], "delivered"],
    [["delivered", "queued"], "queued"],
    [["retrying", "queued"], "retrying"],
    [["dead", "queued"], "dead"],
    [["delivered", "dead"], "dead"],
  ] as const)("%j is %s (the worst of the two notes)", (statuses, state) => {
    expect(notesDeliveryState(statuses)).toBe(state);
  });
});

describe("isDeliveryPending", () => {
  it("holds while a note or the reply is queued or retrying, and not once everything has settled", () => {
    expect(isDeliveryPending({ notes: "queued", reply: null })).toBe(true);
    expect(isDeliveryPending({ notes: "delivered", reply: "retrying" })).toBe(true);
    expect(isDeliveryPending({ notes: "delivered", reply: "delivered" })).toBe(false);
    expect(isDeliveryPending({ notes: "dead", reply: null })).toBe(false);
    expect(isDeliveryPending({ notes: "none", reply: null })).toBe(false);
  });
});

describe("describeDeliveryState", () => {
  it("names the notes and the reply in words", () => {
    expect(describeDeliveryState({ notes: "delivered", reply: "queued" })).toBe("notes delivered · reply queued");
    expect(describeDeliveryState({ notes: "none", reply: null })).toBe("no notes sent");
  });
});
