import { randomInt } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/platform/db";
import { listTriagedTickets } from "@/lib/triage/list-triaged-tickets";
import type { TriageFoundState, TriageListState } from "@/lib/triage/triage-list-query";
import { createAccount, createScopeReset, PRE_CUTOFF_SCOPES } from "../support/factories";

/**
 * The console's triage list shows each ticket's current state (decision 031,
 * amended): what triage found, or reset_done once a successful reset was made
 * since the ticket arrived, on the ticket or of the account it found needing
 * one; the filters and counts use the same state.
 */
const db = getDb();
const made: string[] = [];
const base = 7_000_000_000 + randomInt(1_000_000) * 100;
let n = 0;

afterAll(async () => {
  await db.ticketTriage.deleteMany({ where: { ticketId: { in: made } } });
});

async function triaged(state: TriageFoundState, accountId: number | null, receivedAt: Date) {
  const ticketId = String(base + n++);
  made.push(ticketId);
  await db.ticketTriage.create({
    data: {
      ticketId,
      ticketUrl: `http://127.0.0.1/agent/tickets/${ticketId}`,
      noteMarker: `[Scopedesk triage of ticket #${ticketId}]`,
      state,
      accountId,
      accountUsername: accountId ? `acct-${accountId}` : null,
      receivedAt,
      triagedAt: receivedAt,
    },
  });
  return ticketId;
}

/** Every listed ticket in the given state (all pages of 200). */
async function listed(state: TriageListState | null) {
  const items = [];
  let page = await listTriagedTickets({ state, limit: 200, cursor: null });
  items.push(...page.items);
  while (page.nextCursor) {
    const cursor = JSON.parse(Buffer.from(page.nextCursor, "base64url").toString("utf8")) as { a: string; t: string };
    page = await listTriagedTickets({ state, limit: 200, cursor: { receivedAt: new Date(cursor.a), ticketId: cursor.t } });
    items.push(...page.items);
  }
  return { items: items.filter((i) => made.includes(i.ticketId)), counts: page.counts };
}

describe("the triage list's current state", () => {
  it("is reset_done once the account was reset after the ticket arrived, linking that reset, and filters and counts by it", async () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const other = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const third = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const before = await listTriagedTickets({ state: null, limit: 1, cursor: null });

    const answered = await triaged("needs_reset", account.id, hourAgo);
    const anomaly = await triaged("anomaly", account.id, hourAgo);
    const stillOpen = await triaged("needs_reset", other.id, hourAgo);
    const nothing = await triaged("nothing_to_do", account.id, hourAgo);
    const noAccount = await triaged("no_account", null, hourAgo);
    const notFound = await triaged("ticket_not_found", null, hourAgo);
    // Arrived after the reset: the reset cannot have answered it.
    const later = await triaged("needs_reset", account.id, new Date(Date.now() + 60_000));

    // Before the ticket arrived: no answer. A failed reset: no answer either.
    await createScopeReset({ accountId: other.id, createdAt: new Date(hourAgo.getTime() - 60_000) });
    await createScopeReset({ accountId: other.id, outcome: "failed" });
    const reset = await createScopeReset({ accountId: account.id, createdAt: new Date(hourAgo.getTime() + 60_000) });
    // A reset made on the ticket itself answers it whatever triage found (an agent picked the account in the sidebar).
    const picked = await createScopeReset({ accountId: third.id, ticketId: noAccount });
    // Zendesk has no such ticket: nothing answers it.
    await createScopeReset({ accountId: third.id, ticketId: notFound });

    const all = await listed(null);
    const state = (id: string) => all.items.find((i) => i.ticketId === id);
    expect(state(answered)).toMatchObject({
      state: "reset_done",
      foundState: "needs_reset",
      reset: { id: reset.id, accountId: account.id, onThisTicket: false },
    });
    expect(state(anomaly)).toMatchObject({ state: "reset_done", foundState: "anomaly", reset: { id: reset.id } });
    expect(state(stillOpen)).toMatchObject({ state: "needs_reset", reset: null });
    expect(state(nothing)).toMatchObject({ state: "nothing_to_do", reset: null });
    expect(state(noAccount)).toMatchObject({
      state: "reset_done",
      foundState: "no_account",
      reset: { id: picked.id, accountId: third.id, onThisTicket: true },
    });
    expect(state(notFound)).toMatchObject({ state: "ticket_not_found", reset: null });
    expect(state(later)).toMatchObject({ state: "needs_reset", reset: null });

    // The filters take the current state: a ticket answered by a reset is no longer in "needs reset".
    const needsReset = (await listed("needs_reset")).items.map((i) => i.ticketId);
    expect(needsReset.sort()).toEqual([stillOpen, later].sort());
    const done = await listed("reset_done");
    expect(done.items.map((i) => i.ticketId).sort()).toEqual([answered, anomaly, noAccount].sort());
    expect(done.items.every((i) => i.state === "reset_done")).toBe(true);
    // The counts too (other tests' tickets may be counted as well, so by difference).
    expect(done.counts.reset_done - before.counts.reset_done).toBeGreaterThanOrEqual(3);
    expect(all.counts.needs_reset).toBe(before.counts.needs_reset + 2 - 0 /* answered ones left needs_reset */);
  });
});
