import { describe, expect, it } from "vitest";
import { devZendeskSeed } from "./seed";
import { DevZendeskStore, FIRST_TICKET_ID } from "./store";

const ticket = { subject: "Erase jobs", description: "Please enable them.", requesterEmail: "kim@customer.example", requesterName: "Kim" };

describe("numbering new tickets in the development Zendesk", () => {
  it("starts at 100001 and counts up past the seed's tickets", () => {
    const store = new DevZendeskStore(devZendeskSeed());
    expect(store.createTicket(ticket)!.id).toBe(FIRST_TICKET_ID);
    expect(store.createTicket(ticket)!.id).toBe(FIRST_TICKET_ID + 1);
  });

  it("starts after the tickets Scopedesk knows, so a restart does not hand out a number again", () => {
    // Before the restart: two tickets, which Scopedesk triaged.
    const before = new DevZendeskStore(devZendeskSeed());
    const known = [before.createTicket(ticket)!.id, before.createTicket(ticket)!.id];
    // After it (the store is in memory: empty again), numbered from one past the highest Scopedesk knows.
    const after = new DevZendeskStore(devZendeskSeed(), Date.now, Math.max(...known) + 1);
    const fresh = after.createTicket(ticket)!.id;
    expect(known).not.toContain(fresh);
    expect(fresh).toBe(Math.max(...known) + 1);
    // An explicit id is still taken as given, and later numbers go past it.
    expect(after.createTicket({ ...ticket, id: 500_000 })!.id).toBe(500_000);
    expect(after.createTicket(ticket)!.id).toBe(500_001);
  });
});
