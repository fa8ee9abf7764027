import { randomUUID } from "node:crypto";
import { generateApiKey } from "@/lib/api-keys/api-key-format";
import { appendAuditEvent } from "@/lib/audit/append-audit-event";
import { getDb } from "@/lib/platform/db";
import { ensureScopeSet } from "@/lib/scopes/ensure-scope-set";
import { ADMIN_SCOPES, ERASE_JOB_SCOPES, normalizeScopes } from "@/lib/scopes/catalog";
import { getConfig } from "@/lib/platform/config";

/**
 * Test data built per test, with ids from a range the seed never uses, so
 * tests do not depend on each other or on the seeded demo-like data.
 */
let nextId = 50_000_000 + (process.pid % 1000) * 10_000 + Math.floor(Math.random() * 5_000);

export const PRE_CUTOFF_SCOPES = normalizeScopes(ADMIN_SCOPES);
export const POST_CUTOFF_SCOPES = normalizeScopes([...ADMIN_SCOPES, ...ERASE_JOB_SCOPES]);

export interface AccountFactoryInput {
  username?: string;
  email?: string;
  company?: string | null;
  region?: "global" | "eu";
  signedUpAt?: Date;
  parentId?: number | null;
  scopes?: readonly string[];
}

export async function createAccount(input: AccountFactoryInput = {}) {
  const id = nextId++;
  const set = await ensureScopeSet(getDb(), input.scopes ?? PRE_CUTOFF_SCOPES);
  const username = input.username ?? `test-account-${id}`;
  return getDb().account.create({
    data: {
      id,
      username,
      email: input.email ?? `${username}@factory.example`,
      company: input.company === undefined ? "Factory Ltd" : input.company,
      region: input.region ?? "global",
      signedUpAt: input.signedUpAt ?? new Date("2021-05-05T10:00:00Z"),
      parentId: input.parentId ?? null,
      scopeSetId: set.id,
    },
  });
}

export async function createApiKey(accountId: number, input: { name?: string; scopes: readonly string[] }) {
  const key = generateApiKey();
  const set = await ensureScopeSet(getDb(), input.scopes);
  await getDb().apiKey.create({
    data: { id: key.id, accountId, name: input.name ?? `key ${key.id}`, scopeSetId: set.id, secretHash: key.hash },
  });
  return { id: key.id, plaintext: key.plaintext };
}

export async function createStaff(role: "viewer" | "agent" | "lead" | "admin" = "agent") {
  const n = nextId++;
  const staff = await getDb().staffUser.create({
    data: { subject: `factory#${n}`, email: `staff-${n}@scopedesk.test`, name: `Staff ${n}`, role },
    select: { id: true, email: true, name: true, role: true },
  });
  return staff;
}

/**
 * The configured approval policy with no rule in force: for tests of other rules (notes, bounds) that reset
 * accounts the approval rules would otherwise send to a lead first (decision 040).
 */
export function noApprovalRules() {
  return { ...getConfig().approvals, rules: [] };
}

export function requestMeta(requestId = `test-${Math.random().toString(36).slice(2)}`) {
  return { requestId, ip: "127.0.0.1", userAgent: "vitest" };
}

export interface MessageActivityInput {
  recipientEmail: string;
  recipientName?: string;
  subject?: string;
  categories?: string[];
  ip?: string;
  sentAt?: Date;
}

/** Message activity rows for an account (what the Recipients' Data Erasure API erases). */
export async function createMessageActivity(accountId: number, rows: readonly MessageActivityInput[]) {
  await getDb().messageActivity.createMany({
    data: rows.map((r, i) => ({
      accountId,
      recipientEmail: r.recipientEmail,
      recipientName: r.recipientName ?? "Test Recipient",
      subject: r.subject ?? `Message ${i + 1}`,
      categories: r.categories ?? ["transactional"],
      ip: r.ip ?? "192.0.2.1",
      sentAt: r.sentAt ?? new Date("2026-06-01T12:00:00Z"),
    })),
  });
}

/** An account with a key holding the given scopes (default: post-cutoff, erase-job scopes included). */
export async function createAccountWithKey(input: AccountFactoryInput & { keyScopes?: readonly string[] } = {}) {
  const account = await createAccount({ scopes: POST_CUTOFF_SCOPES, ...input });
  const key = await createApiKey(account.id, { scopes: input.keyScopes ?? input.scopes ?? POST_CUTOFF_SCOPES });
  return { account, key };
}

export interface ScopeResetFactoryInput {
  accountId: number;
  actor?: { id: string | null; name: string; email: string };
  outcome?: "succeeded" | "failed";
  createdAt?: Date;
  ticketId?: string;
  before?: readonly string[];
  after?: readonly string[];
  reason?: string | null;
  failureReason?: string;
  /** Ticket notes and admin note, as a successful reset writes them (default: true for succeeded). */
  notes?: boolean;
  requestId?: string;
  clientIp?: string | null;
}

/**
 * A reset record inserted directly (not through performScopeReset), with the
 * shape the check constraints demand: a success is verified, has an after set
 * and no failure reason; a failure is unverified with a reason. Does not touch
 * the account's scopes or the audit log.
 */
export async function createScopeReset(input: ScopeResetFactoryInput) {
  const db = getDb();
  const outcome = input.outcome ?? "succeeded";
  const before = normalizeScopes(input.before ?? PRE_CUTOFF_SCOPES);
  const after = normalizeScopes(input.after ?? POST_CUTOFF_SCOPES);
  const beforeSet = await ensureScopeSet(db, before);
  const afterSet = outcome === "succeeded" ? await ensureScopeSet(db, after) : null;
  const afterLookup = new Set(after);
  const beforeLookup = new Set(before);
  const id = crypto.randomUUID();
  const ticketId = input.ticketId ?? String(800_000_000 + nextId++);
  const ticketUrl = `https://scopedesk.zendesk.com/agent/tickets/${ticketId}`;
  const createdAt = input.createdAt ?? new Date();
  const actor = input.actor ?? { id: null, name: "Factory Agent", email: "factory-agent@scopedesk.test" };
  const reset = await db.scopeReset.create({
    data: {
      id,
      accountId: input.accountId,
      outcome,
      actorId: actor.id,
      actorName: actor.name,
      actorEmail: actor.email,
      ticketId,
      ticketUrl,
      idempotencyKey: randomUUID(),
      requestHash: "0".repeat(64),
      reason: input.reason ?? null,
      beforeScopeSetId: beforeSet.id,
      afterScopeSetId: afterSet?.id ?? null,
      beforeCount: before.length,
      afterCount: afterSet ? after.length : null,
      added: after.filter((s) => !beforeLookup.has(s)),
      removed: before.filter((s) => !afterLookup.has(s)),
      verified: outcome === "succeeded",
      catalogVersion: "factory",
      requestId: input.requestId ?? `factory-${id.slice(0, 8)}`,
      clientIp: input.clientIp === undefined ? "192.0.2.10" : input.clientIp,
      userAgent: "vitest factory",
      durationMs: 12,
      failureReason: outcome === "failed" ? (input.failureReason ?? "stale_preview: the scopes changed") : null,
      createdAt,
    },
  });
  if (input.notes ?? outcome === "succeeded") {
    const base = { ticketId, ticketUrl, accountId: input.accountId, resetId: id, authorId: actor.id, authorName: actor.name, createdAt };
    await db.ticketNote.createMany({
      data: [
        { ...base, id: crypto.randomUUID(), kind: "scopes_before", body: `Scopes BEFORE reset (${before.length}):\n${before.join("\n")}` },
        { ...base, id: crypto.randomUUID(), kind: "scopes_after", body: `Scopes AFTER reset (${after.length}):\n${after.join("\n")}` },
      ],
    });
    await db.adminNote.create({
      data: {
        id: crypto.randomUUID(),
        accountId: input.accountId,
        ticketId,
        ticketUrl,
        resetId: id,
        body: `Scopes reset per ticket ${ticketUrl}.`,
        authorId: actor.id,
        authorName: actor.name,
        createdAt,
      },
    });
  }
  return reset;
}

/**
 * A reset record with its own audit event, as the reset's transaction writes
 * them (the event names the reset in details.resetId and carries its facts):
 * what the audit export ties each exported reset to.
 */
export async function createAuditedScopeReset(input: ScopeResetFactoryInput) {
  const reset = await createScopeReset(input);
  await getDb().$transaction((tx) =>
    appendAuditEvent(tx, {
      actor: { id: reset.actorId, name: reset.actorName, email: reset.actorEmail },
      action: `scope_reset.${reset.outcome}`,
      target: { type: "account", id: String(reset.accountId) },
      ticketId: reset.ticketId,
      details:
        reset.outcome === "succeeded"
          ? { resetId: reset.id, added: reset.added, removed: reset.removed, catalogVersion: reset.catalogVersion }
          : { resetId: reset.id, reason: reset.failureReason, catalogVersion: reset.catalogVersion },
      meta: { requestId: reset.requestId, ip: reset.clientIp, userAgent: reset.userAgent },
    }),
  );
  return reset;
}

/** A seeded (DEV_STAFF) staff member as a reset actor, by e-mail. */
export async function staffByEmail(email: string) {
  const staff = await getDb().staffUser.findFirstOrThrow({ where: { email }, select: { id: true, name: true, email: true, role: true } });
  return staff;
}

/** What a reset's confirmation needs from the account's preview (the console's JSON or getAccountDetail's result). */
export interface PreviewOfPlan {
  resetPlan: { previewFingerprint: string; default: { keyImpact: { fingerprint: string | null } } };
}

/** The body of a request for a lead's approval of the default reset, confirming this preview; overrides win. */
export function approvalRequestBody(detail: PreviewOfPlan, ticketUrl: string, overrides: Record<string, unknown> = {}) {
  return {
    kind: "reset",
    ticket: ticketUrl,
    idempotencyKey: randomUUID(),
    expectedFingerprint: detail.resetPlan.previewFingerprint,
    mode: "default",
    acknowledgedKeyImpact: detail.resetPlan.default.keyImpact.fingerprint ?? undefined,
    reason: "The customer retires the legacy sender.",
    ...overrides,
  };
}
