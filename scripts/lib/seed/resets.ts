import { createHash } from "node:crypto";
import pg from "pg";
import { auditEventHashV2 } from "@/lib/audit/chain";
import { CATALOG_VERSION, scopesAfterReset } from "@/lib/scopes/catalog";
import { scopeSetIdFor } from "./scope-set-row";
import { arrayLiteral, CopyWriter } from "./copy";

/**
 * Reset records at scale for benchmarks: scope_reset rows (about 7 % failed
 * attempts), both ticket notes and the admin note of every success, and one
 * audit event per attempt continuing the hash chain, all written with COPY.
 *
 * Every row is derived from its index (a hash of seed + index), so the notes
 * pass can regenerate the reset ids without holding a million rows in memory.
 * Resets come first and commit before the notes (their foreign keys point at
 * them); the audit events stream on a second connection meanwhile, under the
 * chain head's row lock. Note bodies are short summaries, not full scope
 * lists, to keep the database a sensible size.
 */

export interface ResetSeedOptions {
  count: number;
  seed?: string;
  /** Attempts are spread evenly, oldest first, over [from, to). Default: the last 365 days. */
  from?: Date;
  to?: Date;
  failedShare?: number;
  helpdeskBaseUrl?: string;
  log?: (line: string) => void;
}

export interface ResetSeedResult {
  resets: number;
  failed: number;
  ticketNotes: number;
  adminNotes: number;
  auditEvents: number;
  seconds: number;
}

function uuidFrom(bytes: Buffer, offset: number): string {
  const b = Buffer.from(bytes.subarray(offset, offset + 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface Staff {
  id: string;
  name: string;
  email: string;
}

interface Plan {
  beforeSetId: number;
  beforeCount: number;
  afterSetId: number;
  afterCount: number;
  added: string[];
  removed: string[];
}

const FAILURE_REASONS = [
  "stale_preview: The account's scopes changed since you opened the preview. Review again: reload the account and confirm the new plan.",
  "already_reset: someone else reset the scopes of this account from the same preview.",
  "Verification failed: after the update the account still lacks recipients.erasejob.create.",
];

export async function seedResetRecords(databaseUrl: string, options: ResetSeedOptions): Promise<ResetSeedResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const seed = options.seed ?? "scopedesk-resets";
  const to = options.to ?? new Date();
  const from = options.from ?? new Date(to.getTime() - 365 * 86_400_000);
  const failedShare = options.failedShare ?? 0.07;
  const helpdesk = (options.helpdeskBaseUrl ?? "https://scopedesk.zendesk.com").replace(/\/+$/, "");
  const count = options.count;

  const a = new pg.Client({ connectionString: databaseUrl });
  const b = new pg.Client({ connectionString: databaseUrl });
  await Promise.all([a.connect(), b.connect()]);
  try {
    const staff = (await a.query<Staff>(`SELECT id, name, email FROM staff_user WHERE role IN ('agent', 'lead', 'admin') ORDER BY email`))
      .rows;
    if (staff.length === 0) throw new Error("seedResetRecords needs staff: seed the database first");
    const accounts = (
      await a.query<{ id: number; scope_set_id: number }>(
        `SELECT id, scope_set_id FROM account TABLESAMPLE SYSTEM (20) WHERE parent_id IS NULL LIMIT 200000`,
      )
    ).rows;
    if (accounts.length < 10) {
      accounts.push(...(await a.query<{ id: number; scope_set_id: number }>(`SELECT id, scope_set_id FROM account LIMIT 200000`)).rows);
    }
    if (accounts.length === 0) throw new Error("seedResetRecords needs accounts: seed the database first");

    // What a reset does to each distinct scope set the sampled accounts hold.
    const setIds = [...new Set(accounts.map((x) => x.scope_set_id))];
    const sets = (await a.query<{ id: number; scopes: string[] }>(`SELECT id, scopes FROM scope_set WHERE id = ANY($1)`, [setIds])).rows;
    const plans = new Map<number, Plan>();
    for (const set of sets) {
      const after = scopesAfterReset(set.scopes);
      const afterSetId = await scopeSetIdFor(a, after);
      const before = new Set(set.scopes);
      const afterSet = new Set(after);
      plans.set(set.id, {
        beforeSetId: set.id,
        beforeCount: set.scopes.length,
        afterSetId,
        afterCount: after.length,
        added: after.filter((s) => !before.has(s)),
        removed: set.scopes.filter((s) => !afterSet.has(s)),
      });
    }

    const span = to.getTime() - from.getTime();
    const row = (i: number) => {
      const r = createHash("sha256").update(`${seed}:${i}`).digest();
      const account = accounts[r.readUInt32BE(16) % accounts.length]!;
      const actor = staff[r.readUInt16BE(20) % staff.length]!;
      const failed = r.readUInt16BE(22) / 65536 < failedShare;
      const ticketId = String(1 + (r.readUInt32BE(24) % 9_999_999));
      const createdAt = new Date(from.getTime() + Math.floor(((i + r.readUInt16BE(28) / 65536) * span) / count));
      return { id: uuidFrom(r, 0), r, account, actor, failed, ticketId, createdAt, plan: plans.get(account.scope_set_id)! };
    };

    // Pass 1: resets on `a`, audit events on `b` (chain head locked until commit).
    await b.query("BEGIN");
    const [head] = (
      await b.query<{ last_seq: string; last_hash: string }>(
        `SELECT last_seq::text, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE`,
      )
    ).rows;
    if (!head) throw new Error("audit_chain_head is missing: run the migrations");
    let seq = BigInt(head.last_seq);
    let prevHash = head.last_hash;
    const resets = CopyWriter.open(
      a,
      `COPY scope_reset (id, account_id, outcome, actor_id, actor_name, actor_email, ticket_id, ticket_url, idempotency_key, request_hash,
        before_scope_set_id, after_scope_set_id, before_count, after_count, added, removed, verified, catalog_version, request_id,
        client_ip, user_agent, duration_ms, failure_reason, created_at) FROM STDIN`,
    );
    const events = CopyWriter.open(
      b,
      `COPY audit_event (seq, id, occurred_at, actor_id, actor_name, actor_email, action, target_type, target_id, ticket_id, details,
        ip, user_agent, request_id, prev_hash, hash, hash_version) FROM STDIN`,
    );
    let failedCount = 0;
    for (let i = 0; i < count; i++) {
      const x = row(i);
      if (x.failed) failedCount++;
      const requestId = uuidFrom(x.r, 8);
      const ip = `10.${x.r[1]}.${x.r[2]}.${x.r[3]}`;
      const userAgent = "Mozilla/5.0 (X11; Linux x86_64) Scopedesk-seed";
      const ticketUrl = `${helpdesk}/agent/tickets/${x.ticketId}`;
      await resets.row([
        x.id,
        x.account.id,
        x.failed ? "failed" : "succeeded",
        x.actor.id,
        x.actor.name,
        x.actor.email,
        x.ticketId,
        ticketUrl,
        uuidFrom(x.r, 4),
        x.r.toString("hex"),
        x.plan.beforeSetId,
        x.failed ? null : x.plan.afterSetId,
        x.plan.beforeCount,
        x.failed ? null : x.plan.afterCount,
        arrayLiteral(x.plan.added),
        arrayLiteral(x.plan.removed),
        !x.failed,
        CATALOG_VERSION,
        requestId,
        ip,
        userAgent,
        20 + (x.r[30]! % 80),
        x.failed ? FAILURE_REASONS[x.r[31]! % FAILURE_REASONS.length]! : null,
        x.createdAt.toISOString(),
      ]);
      seq += 1n;
      const details = x.failed
        ? { resetId: x.id, reason: FAILURE_REASONS[x.r[31]! % FAILURE_REASONS.length]!, catalogVersion: CATALOG_VERSION }
        : { resetId: x.id, added: x.plan.added, removed: x.plan.removed, catalogVersion: CATALOG_VERSION };
      const content = {
        seq,
        id: uuidFrom(x.r, 12),
        occurredAt: x.createdAt,
        actorId: x.actor.id,
        actorName: x.actor.name,
        actorEmail: x.actor.email,
        action: x.failed ? "scope_reset.failed" : "scope_reset.succeeded",
        targetType: "account",
        targetId: String(x.account.id),
        ticketId: x.ticketId,
        details,
        ip,
        userAgent,
        requestId,
      };
      // The database's own hash rule (decision 035), computed here because the seed writes the log in bulk as its owner.
      const detailsJson = JSON.stringify(details);
      const hash = auditEventHashV2(prevHash, { ...content, details: detailsJson });
      await events.row([
        seq.toString(),
        content.id,
        x.createdAt.toISOString(),
        x.actor.id,
        x.actor.name,
        x.actor.email,
        content.action,
        "account",
        content.targetId,
        x.ticketId,
        detailsJson,
        ip,
        userAgent,
        requestId,
        prevHash,
        hash,
        2,
      ]);
      prevHash = hash;
      if ((i + 1) % 200_000 === 0) log(`  ${(i + 1).toLocaleString("en")} reset records…`);
    }
    await Promise.all([resets.close(), events.close()]);
    await b.query(`UPDATE audit_chain_head SET last_seq = $1, last_hash = $2 WHERE id = 1`, [seq.toString(), prevHash]);
    await b.query("COMMIT");
    log(`  resets and audit events written (${((performance.now() - started) / 1000).toFixed(1)} s); notes…`);

    // Pass 2: the notes of every success, now that their resets are committed.
    const ticketNotes = CopyWriter.open(
      a,
      `COPY ticket_note (id, ticket_id, ticket_url, account_id, reset_id, kind, body, author_id, author_name, created_at) FROM STDIN`,
    );
    const adminNotes = CopyWriter.open(
      b,
      `COPY admin_note (id, account_id, ticket_id, ticket_url, reset_id, body, author_id, author_name, created_at) FROM STDIN`,
    );
    for (let i = 0; i < count; i++) {
      const x = row(i);
      if (x.failed) continue;
      const ticketUrl = `${helpdesk}/agent/tickets/${x.ticketId}`;
      const at = x.createdAt.toISOString();
      const idBytes = createHash("sha256").update(`${seed}:notes:${i}`).digest();
      await ticketNotes.row([
        uuidFrom(idBytes, 0),
        x.ticketId,
        ticketUrl,
        x.account.id,
        x.id,
        "scopes_before",
        `Scopes BEFORE reset on account ${x.account.id} (${x.plan.beforeCount} scopes). Erase-job scopes missing.`,
        x.actor.id,
        x.actor.name,
        at,
      ]);
      await ticketNotes.row([
        uuidFrom(idBytes, 16),
        x.ticketId,
        ticketUrl,
        x.account.id,
        x.id,
        "scopes_after",
        `Scopes AFTER reset on account ${x.account.id} (${x.plan.afterCount} scopes). Added: ${x.plan.added.join(", ") || "none"}. Removed: ${x.plan.removed.length}.`,
        x.actor.id,
        x.actor.name,
        at,
      ]);
      await adminNotes.row([
        uuidFrom(createHash("sha256").update(`${seed}:admin:${i}`).digest(), 0),
        x.account.id,
        x.ticketId,
        ticketUrl,
        x.id,
        `Scopes reset by ${x.actor.name} per ${ticketUrl}: erase-job scopes added.`,
        x.actor.id,
        x.actor.name,
        at,
      ]);
    }
    await Promise.all([ticketNotes.close(), adminNotes.close()]);
    await a.query("ANALYZE scope_reset, ticket_note, admin_note, audit_event, audit_chain_head");
    const succeeded = count - failedCount;
    return {
      resets: count,
      failed: failedCount,
      ticketNotes: succeeded * 2,
      adminNotes: succeeded,
      auditEvents: count,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    await b.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
}
