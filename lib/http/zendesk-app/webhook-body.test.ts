import { describe, expect, it } from "vitest";
import { webhookTicketId } from "./webhook-body";

describe("the ticket a triage webhook names", () => {
  it("is the trigger's ticket_id, or the ticket-created event's detail.id", () => {
    expect(webhookTicketId({ ticket_id: "4242" })).toEqual({ ok: true, ticketId: "4242" });
    expect(webhookTicketId({ ticket_id: 4242, requester: "x" })).toEqual({ ok: true, ticketId: "4242" });
    expect(webhookTicketId({ type: "zen:event-type:ticket.created", detail: { id: "77", subject: "s" } })).toEqual({
      ok: true,
      ticketId: "77",
    });
  });

  it("refuses anything else", () => {
    for (const body of [
      null,
      [],
      "4242",
      {},
      { ticket_id: "0" },
      { ticket_id: "12abc" },
      { ticket_id: 1.5 },
      { type: "zen:event-type:ticket.updated", detail: { id: "1" } },
    ]) {
      expect(webhookTicketId(body).ok).toBe(false);
    }
  });
});
