/**
 * The reset's limit: the statements one Reset Scopes runs
 * (lib/scope-resets/perform-scope-reset.ts, in the order and shape
 * PostgreSQL's statement log showed for the app), straight through `pg`, one
 * transaction per reset, at the same concurrency, on other accounts of the
 * same kind. What the app computes between the statements (the plan, the note
 * texts) is prepared before the clock starts; the audit event's canonical text
 * is computed per reset, as it needs the time and keeps the bench database's
 * audit chain verifiable.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { CATALOG_VERSION } from "../../lib/scopes/catalog";
import { scopeSetFingerprint } from "../../lib/scopes/fingerprint";
import { planScopeReset } from "../../lib/scope-resets/plan";
import { closedLoop, withPg, type LatencySummary } from "../lib/harness";

interface DirectReset {
  id: number;
  username: string;
  before: string[];
  after: string[];
  added: string[];
  removed: string[];
  beforeFingerprint: string;
  afterFingerprint: string;
}

const TICKET_URL = "https://scopedesk.zendesk.com/agent/tickets/";
const noteOf = (title: string, r: DirectReset, scopes: string[], ticket: string) =>
  `Scopes ${title} reset — ${r.username} (#${r.id})\nTicket: ${TICKET_URL}${ticket}\nRecorded by Bench Agent at ${new Date().toISOString()}\n\n${scopes.length} scopes:\n${scopes.join("\n")}\n`;

/** The accounts' scopes and their plans, read and computed before the clock starts. */
export async function prepareDirectResets(databaseUrl: string, ids: number[]): Promise<DirectReset[]> {
  const { rows } = await withPg(databaseUrl, (c) =>
    c.query<{ id: number; username: string; scopes: string[]; fingerprint: string }>(
      `SELECT a.id, a.username, s.scopes, s.fingerprint FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE a.id = ANY($1::int[]) ORDER BY a.id`,
      [ids],
    ),
  );
  return rows.map((row) => {
    const plan = planScopeReset({ current: row.scopes });
    return {
      id: row.id,
      username: row.username,
      before: plan.before,
      after: plan.after,
      added: plan.added,
      removed: plan.removed,
      beforeFingerprint: row.fingerprint,
      afterFingerprint: scopeSetFingerprint(plan.after),
    };
  });
}

async function directReset(pool: pg.Pool, r: DirectReset, actor: { id: string; name: string; email: string }, ticket: string) {
  const idempotencyKey = randomUUID();
  const resetId = randomUUID();
  const at = new Date();
  const ticketUrl = `${TICKET_URL}${ticket}`;
  const replay = `SELECT id, request_hash FROM scope_reset WHERE idempotency_key = $1 AND outcome = 'succeeded' LIMIT 1`;
  await pool.query(replay, [idempotencyKey]);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const account = await client.query<{ scope_set_id: number; parent_id: number | null }>(
      `SELECT id, username, email, signed_up_at, parent_id, scope_set_id, company, region::text AS region, scopes_updated_at
       FROM account WHERE id = $1 FOR UPDATE`,
      [r.id],
    );
    const beforeSetId = account.rows[0]!.scope_set_id;
    const subusers = await client.query<{ id: number }>(
      `SELECT id, username, email, signed_up_at, parent_id, scope_set_id, region::text AS region FROM account WHERE parent_id = $1 ORDER BY id`,
      [r.id],
    );
    await client.query(
      `SELECT id, name, account_id, scope_set_id, created_at, last_used_at FROM api_key WHERE account_id = ANY($1::int[]) ORDER BY created_at, id`,
      [[r.id, ...subusers.rows.map((s) => s.id)]],
    );
    await client.query(replay, [idempotencyKey]);
    const insertNote = (kind: "scopes_before" | "scopes_after", scopes: string[]) =>
      client.query(
        `INSERT INTO ticket_note (id, ticket_id, ticket_url, account_id, reset_id, kind, body, author_id, author_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $6::ticket_note_kind, $7, $8, $9, $10) RETURNING *`,
        [
          randomUUID(),
          ticket,
          ticketUrl,
          r.id,
          resetId,
          kind,
          noteOf(kind === "scopes_before" ? "BEFORE" : "AFTER", r, scopes, ticket),
          actor.id,
          actor.name,
          at,
        ],
      );
    await insertNote("scopes_before", r.before);
    let [set] = (await client.query<{ id: number }>(`SELECT id FROM scope_set WHERE fingerprint = $1`, [r.afterFingerprint])).rows;
    set ??= (
      await client.query<{ id: number }>(
        `INSERT INTO scope_set (fingerprint, scopes) VALUES ($1, $2::text[]) ON CONFLICT (fingerprint) DO UPDATE SET fingerprint = EXCLUDED.fingerprint RETURNING id`,
        [r.afterFingerprint, r.after],
      )
    ).rows[0]!;
    await client.query(`UPDATE account SET scope_set_id = $1, scopes_updated_at = $2 WHERE id = $3 RETURNING *`, [set.id, at, r.id]);
    await client.query(`SELECT s.scopes FROM account a JOIN scope_set s ON s.id = a.scope_set_id WHERE a.id = $1`, [r.id]);
    await insertNote("scopes_after", r.after);
    await client.query(
      `INSERT INTO admin_note (id, account_id, ticket_id, ticket_url, reset_id, body, author_id, author_name, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        randomUUID(),
        r.id,
        ticket,
        ticketUrl,
        resetId,
        `Scopes reset by ${actor.name} at ${at.toISOString()} for ticket ${ticketUrl}`,
        actor.id,
        actor.name,
        at,
      ],
    );
    const impact = { losses: [], keys: [], subusersLackingEraseJob: [], anomaly: null };
    await client.query(
      `INSERT INTO scope_reset (id, account_id, outcome, actor_id, actor_name, actor_email, ticket_id, ticket_url, idempotency_key, request_hash,
         reason, before_scope_set_id, after_scope_set_id, before_count, after_count, added, removed, verified, catalog_version, request_id,
         client_request_id, client_ip, user_agent, duration_ms, mode, preview_fingerprint, impact, family_reset_id, ticket_verified, created_at)
       VALUES ($1, $2, 'succeeded', $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11, $12, $13, $14, $15, true, $16, $17, NULL, '127.0.0.1', 'bench',
         0, 'default', $18, $19::jsonb, NULL, NULL, $20) RETURNING *`,
      [
        resetId,
        r.id,
        actor.id,
        actor.name,
        actor.email,
        ticket,
        ticketUrl,
        idempotencyKey,
        randomUUID().replaceAll("-", ""),
        beforeSetId,
        set.id,
        r.before.length,
        r.after.length,
        r.added,
        r.removed,
        CATALOG_VERSION,
        randomUUID(),
        r.beforeFingerprint,
        JSON.stringify(impact),
        at,
      ],
    );
    const details = JSON.stringify({
      resetId,
      mode: "default",
      before: { count: r.before.length, fingerprint: r.beforeFingerprint },
      after: { count: r.after.length, fingerprint: r.afterFingerprint },
      added: r.added,
      removed: r.removed,
      keyLossesAcknowledged: [],
      subusersLackingEraseJob: [],
      anomaly: false,
      reason: null,
      ticketVerified: null,
      notesQueuedForHelpdesk: false,
      catalogVersion: CATALOG_VERSION,
    });
    // The audit append as the app makes it: the database hashes and times it (decision 035).
    await client.query(
      `SELECT append_audit_event($1::uuid, $2::uuid, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text,
                                 $9::jsonb, $10::text, $11::text, $12::text) AS seq`,
      [
        randomUUID(),
        actor.id,
        actor.name,
        actor.email,
        "scope_reset.succeeded",
        "account",
        String(r.id),
        ticket,
        details,
        "127.0.0.1",
        "bench",
        randomUUID(),
      ],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  // The answer's summary, read after the commit as the endpoint does.
  await pool.query(
    `SELECT id, outcome::text, account_id, ticket_id, ticket_url, added, removed, before_count, after_count, verified, actor_name, created_at
     FROM scope_reset WHERE id = $1 LIMIT 1`,
    [resetId],
  );
}

/** Runs `resets` (the first 20 as a warm-up) with `concurrency` in flight, as the agent the app's resets ran as. */
export async function directResets(
  databaseUrl: string,
  resets: DirectReset[],
  concurrency: number,
  agentEmail: string,
): Promise<LatencySummary> {
  const actor = await withPg(databaseUrl, async (c) => {
    const { rows } = await c.query<{ id: string; name: string; email: string }>(`SELECT id, name, email FROM staff_user WHERE email = $1`, [
      agentEmail,
    ]);
    if (!rows[0]) throw new Error(`no staff user ${agentEmail} in the bench database`);
    return rows[0];
  });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: Math.max(concurrency, 10) });
  try {
    const warm = resets.slice(0, 20);
    const timed = resets.slice(20);
    await closedLoop(
      warm.length,
      Math.min(concurrency, 4),
      async (i) => (await directReset(pool, warm[i]!, actor, String(700_000 + i)), true),
    );
    return await closedLoop(timed.length, concurrency, async (i) => (await directReset(pool, timed[i]!, actor, String(710_000 + i)), true));
  } finally {
    await pool.end();
  }
}
