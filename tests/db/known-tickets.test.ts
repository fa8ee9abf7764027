import { randomInt } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/platform/db";
import { startDevZendesk } from "@/scripts/dev-zendesk/server";
import { highestKnownTicketId } from "@/scripts/lib/known-tickets";

/**
 * The demo numbers the development Zendesk's new tickets past every ticket
 * Scopedesk's database knows (scripts/demo.ts), so a restart (tickets live in
 * the development Zendesk's memory) does not give a new ticket the number of
 * one that already has a triage row or a reset here.
 */
const db = getDb();
const ticketId = String(9_000_000_000 + randomInt(1_000_000));

afterAll(async () => {
  await db.ticketTriage.deleteMany({ where: { ticketId } });
});

describe("the highest ticket Scopedesk knows", () => {
  it("is the highest ticket number in its tables, and the next demo's first ticket comes after it", async () => {
    const triage = (id: string) =>
      db.ticketTriage.create({ data: { ticketId: id, ticketUrl: `http://127.0.0.1/agent/tickets/${id}`, noteMarker: `[m ${id}]` } });
    await triage(ticketId);
    const highest = await highestKnownTicketId(process.env.DATABASE_URL!);
    expect(highest).toBeGreaterThanOrEqual(Number(ticketId));

    const zendesk = await startDevZendesk({ port: 0, log: () => {}, firstTicketId: highest + 1 });
    try {
      const response = await fetch(`${zendesk.url}/__dev/tickets`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ requesterEmail: "kim@customer.example" }),
      });
      expect(response.status).toBe(201);
      const { id } = (await response.json()) as { id: number };
      expect(id).toBe(highest + 1);
      expect(await db.ticketTriage.count({ where: { ticketId: String(id) } })).toBe(0);
    } finally {
      await zendesk.close();
    }
  });
});
