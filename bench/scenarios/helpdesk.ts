/**
 * The helpdesk side of Reset Scopes, against the development Zendesk
 * answering every API call 100 ms late (scripts/dev-zendesk) and a worker
 * beside the app, as production runs them:
 *
 *  - reset throughput at 20 clients with both notes' delivery enqueued in the
 *    reset's transaction (compare: the same scenario without a helpdesk, in
 *    the same run);
 *  - note delivery: from a reset's commit (its 201 arriving) to both notes
 *    delivered into the ticket, for resets at a steady pace and for the burst
 *    above (how long the worker takes to catch up).
 *
 * Each reset names a ticket of its own, opened in the fake first. The agent
 * arrives from that ticket, so the console has read it (GET /api/tickets/{id})
 * before the confirmation, as the ticket page or the account page does; the
 * reset then verifies the ticket from that read instead of asking Zendesk
 * again (lib/helpdesk/read-ticket.ts keeps it 30 s).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startDevZendesk, type DevZendesk } from "../../scripts/dev-zendesk/server";
import { closedLoop, percentile, round, withPg, type LatencySummary } from "../lib/harness";
import { prepareResets, runResets, type PreparedReset } from "../reset";

export const ZENDESK_LATENCY_MS = 100;

export async function startBenchZendesk(port: number): Promise<DevZendesk> {
  return startDevZendesk({ port, host: "127.0.0.1", latencyMs: ZENDESK_LATENCY_MS, log: () => {} });
}

/** The app's environment for a helpdesk at `zendesk`. */
export function helpdeskEnv(zendesk: DevZendesk): Record<string, string> {
  return { HELPDESK_BASE_URL: zendesk.url, ZENDESK_CLIENT_ID: zendesk.clientId, ZENDESK_CLIENT_SECRET: zendesk.clientSecret };
}

export interface DeliveryLatency {
  resets: number;
  delivered: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** From the first reset's commit to the last note delivered. */
  drainSeconds: number;
}

async function openTickets(zendesk: DevZendesk, count: number): Promise<string[]> {
  const ids: string[] = new Array(count);
  await closedLoop(count, 20, async (i) => {
    const response = await fetch(`${zendesk.url}/__dev/tickets`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ subject: `Benchmark ticket ${i}`, requesterEmail: `bench-${i}@customer.example` }),
    });
    ids[i] = String(((await response.json()) as { id: number }).id);
    return response.status === 201;
  });
  return ids;
}

/** The agent's arrival from each ticket: the console reads it (not timed). */
async function readTickets(baseUrl: string, cookie: string, tickets: string[]): Promise<void> {
  const read = await closedLoop(
    tickets.length,
    20,
    async (i) => (await fetch(`${baseUrl}/api/tickets/${tickets[i]}`, { headers: { cookie } })).ok,
  );
  if (read.errors > 0) throw new Error(`${read.errors} of ${tickets.length} tickets could not be read through the console`);
}

/** Waits until every reset's two notes are delivered (or `timeoutMs` passes); latency per reset from its commit. */
async function deliveryLatency(databaseUrl: string, committedAt: Map<number, number>, timeoutMs: number): Promise<DeliveryLatency> {
  const accountIds = [...committedAt.keys()];
  const deadline = Date.now() + timeoutMs;
  let rows: { account_id: number; delivered: string; last: Date | null }[] = [];
  for (;;) {
    rows = await withPg(
      databaseUrl,
      async (c) =>
        (
          await c.query<{ account_id: number; delivered: string; last: Date | null }>(
            // updated_at is the worker's clock when it recorded the delivery (delivered_at is Zendesk's, in whole seconds).
            `SELECT r.account_id, count(*) FILTER (WHERE d.status = 'delivered') AS delivered, max(d.updated_at) AS last
             FROM scope_reset r JOIN helpdesk_delivery d ON d.reset_id = r.id AND d.kind IN ('scopes_before', 'scopes_after')
            WHERE r.account_id = ANY($1) AND r.outcome = 'succeeded'
            GROUP BY r.account_id`,
            [accountIds],
          )
        ).rows,
    );
    const done = rows.filter((r) => Number(r.delivered) === 2).length;
    if (done === accountIds.length || Date.now() > deadline) break;
    await sleep(250);
  }
  const complete = rows.filter((r) => Number(r.delivered) === 2 && r.last);
  const latencies = complete.map((r) => r.last!.getTime() - committedAt.get(r.account_id)!).sort((a, b) => a - b);
  const first = Math.min(...committedAt.values());
  const last = Math.max(...complete.map((r) => r.last!.getTime()));
  return {
    resets: accountIds.length,
    delivered: complete.length,
    p50Ms: round(percentile(latencies, 50), 0),
    p95Ms: round(percentile(latencies, 95), 0),
    maxMs: round(latencies.at(-1) ?? NaN, 0),
    drainSeconds: round((last - first) / 1000, 1),
  };
}

export async function helpdeskScenarios(input: {
  baseUrl: string;
  cookie: string;
  databaseUrl: string;
  zendesk: DevZendesk;
  candidates: number[];
  burstResets: number;
  pacedResets: number;
  pacedIntervalMs: number;
}): Promise<{
  burst: LatencySummary;
  burstDelivery: DeliveryLatency;
  pacedDelivery: DeliveryLatency;
  zendeskRequests: Record<string, number>;
}> {
  const { baseUrl, cookie, databaseUrl, zendesk } = input;
  const prepared = await prepareResets(baseUrl, cookie, input.candidates);
  const needed = 20 + input.burstResets + input.pacedResets;
  if (prepared.length < needed) throw new Error(`only ${prepared.length} accounts can be reset; the helpdesk scenarios need ${needed}`);
  const tickets = await openTickets(zendesk, needed);
  const slice = (from: number, count: number): { accounts: PreparedReset[]; tickets: string[] } => ({
    accounts: prepared.slice(from, from + count),
    tickets: tickets.slice(from, from + count),
  });

  // Warm-up: pools, the OAuth token, the worker's first jobs.
  const warm = slice(0, 20);
  await readTickets(baseUrl, cookie, warm.tickets);
  await runResets(baseUrl, cookie, warm.accounts, 4, (i) => warm.tickets[i]!);
  await sleep(3_000);
  zendesk.resetStats();

  // The burst: 20 clients, every reset enqueuing its two notes.
  const burst = slice(20, input.burstResets);
  await readTickets(baseUrl, cookie, burst.tickets);
  const burstRun = await runResets(baseUrl, cookie, burst.accounts, 20, (i) => burst.tickets[i]!);
  const burstDelivery = await deliveryLatency(databaseUrl, burstRun.committedAt, 300_000);

  // A steady pace: one reset every pacedIntervalMs, each timed from its commit to its second note in the ticket.
  const paced = slice(20 + input.burstResets, input.pacedResets);
  await readTickets(baseUrl, cookie, paced.tickets);
  const committedAt = new Map<number, number>();
  for (const [i, account] of paced.accounts.entries()) {
    const started = Date.now();
    const run = await runResets(baseUrl, cookie, [account], 1, () => paced.tickets[i]!);
    for (const [id, at] of run.committedAt) committedAt.set(id, at);
    await sleep(Math.max(0, input.pacedIntervalMs - (Date.now() - started)));
  }
  const pacedDelivery = await deliveryLatency(databaseUrl, committedAt, 120_000);
  return { burst: burstRun.summary, burstDelivery, pacedDelivery, zendeskRequests: zendesk.stats().byRoute };
}
