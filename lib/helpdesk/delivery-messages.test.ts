import { describe, expect, it } from "vitest";
import { deliveryFailureMessage, internalFailureMessage, ticketGoneMessage } from "./delivery-messages";
import { ZendeskError } from "./zendesk-errors";

const refused = (init: Partial<ConstructorParameters<typeof ZendeskError>[0]>) =>
  new ZendeskError({ kind: "rejected", operation: "addComment", message: "422 RecordInvalid", status: 422, ...init });

describe("deliveryFailureMessage", () => {
  it("says what happened to which ticket, and what the agent can do now", () => {
    const note = { ticketId: "4242", kind: "scopes_after" };
    const reply = { ticketId: "4242", kind: "customer_reply" };
    expect(deliveryFailureMessage(reply, refused({ reason: "ticket_closed" }))).toBe(
      "Ticket #4242 is closed, and Zendesk accepts no more comments on a closed ticket. Copy the reply from here into a follow-up ticket.",
    );
    expect(deliveryFailureMessage(note, refused({ reason: "comment_limit" }))).toBe(
      "Ticket #4242 already holds 5,000 comments, the most Zendesk allows. Copy this note from here into a follow-up ticket.",
    );
    expect(deliveryFailureMessage(note, refused({ reason: "comment_too_large" }))).toMatch(/too large for one comment .* in parts\.$/);
    expect(
      deliveryFailureMessage(note, new ZendeskError({ kind: "not_found", operation: "addComment", message: "404", status: 404 })),
    ).toMatch(/^Ticket #4242 does not exist in Zendesk/);
    expect(
      deliveryFailureMessage(note, new ZendeskError({ kind: "unauthorized", operation: "addComment", message: "403", status: 403 })),
    ).toMatch(/refused Scopedesk's access \(403\).*Retry now\.$/);
    expect(deliveryFailureMessage(note, refused({ message: "422 InvalidValue: status" }))).toMatch(
      /^Zendesk refused this note: Zendesk addComment: 422/,
    );
  });
});

describe("ticketGoneMessage and internalFailureMessage", () => {
  it("say the comment may be in a ticket that is gone, and never show what failed inside", () => {
    const text = ticketGoneMessage({ ticketId: "77", kind: "triage_note" });
    expect(text).toMatch(/^Ticket #77 is no longer in Zendesk/);
    expect(text).toContain("may have reached the ticket before it went");
    expect(text).not.toMatch(/copy/i);
    expect(ticketGoneMessage({ ticketId: "77", kind: "customer_reply" })).toContain("the reply was not posted again");
    expect(internalFailureMessage("job:abc")).toBe(
      "Scopedesk could not finish this try because of an internal error (logged as job:abc); it is tried again.",
    );
  });
});
