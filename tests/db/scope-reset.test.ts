import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/platform/errors";
import { planScopeReset } from "@/lib/scope-resets/plan";
import { scopeResetRequestSchema, type ScopeResetRequest } from "@/lib/scope-resets/request";
import { ERASE_JOB_SCOPES } from "@/lib/scopes/catalog";
import { scopeSetFingerprint } from "@/lib/scopes/fingerprint";
import { getDb } from "@/lib/platform/db";
import { performScopeReset } from "@/lib/scope-resets/perform-scope-reset";
import { getAccountDetail } from "@/lib/accounts/get-account-detail";
import { getScopeResetView } from "@/lib/scope-resets/get-scope-reset";
import { getTicketRecord } from "@/lib/scope-resets/get-ticket-record";
import { ownerDb } from "../support/database";
import { createAccount, createApiKey, createStaff, POST_CUTOFF_SCOPES, PRE_CUTOFF_SCOPES, requestMeta } from "../support/factories";

const parseRequest = scopeResetRequestSchema({ baseUrl: "https://scopedesk.zendesk.com", allowedSubdomains: ["acme"] });
const LEGACY_SCOPES = [...PRE_CUTOFF_SCOPES.filter((s) => !s.startsWith("alerts.")), "2fa_required", "legacy.thing.read"];

function request(fingerprint: string, overrides: Partial<Record<string, unknown>> = {}): ScopeResetRequest {
  return parseRequest.parse({
    ticket: "https://acme.zendesk.com/agent/tickets/777",
    idempotencyKey: randomUUID(),
    expectedFingerprint: fingerprint,
    ...overrides,
  });
}

async function staffSession(role: "agent" | "lead" = "agent") {
  const s = await createStaff(role);
  return { id: s.id, email: s.email, name: s.name, role: s.role };
}

async function traces(accountId: number) {
  const db = getDb();
  const [account, ticketNotes, adminNotes, succeeded, failed, events] = await Promise.all([
    db.account.findUniqueOrThrow({ where: { id: accountId }, select: { scopeSet: { select: { scopes: true } } } }),
    db.ticketNote.count({ where: { accountId } }),
    db.adminNote.count({ where: { accountId } }),
    db.scopeReset.count({ where: { accountId, outcome: "succeeded" } }),
    db.scopeReset.findMany({ where: { accountId, outcome: "failed" }, select: { failureReason: true, verified: true } }),
    db.auditEvent.findMany({ where: { targetType: "account", targetId: String(accountId) }, select: { action: true } }),
  ]);
  return { scopes: account.scopeSet.scopes, ticketNotes, adminNotes, succeeded, failed, events: events.map((e) => e.action) };
}

describe("performScopeReset", () => {
  it("applies the plan and records both ticket notes, the admin note, the reset and the audit event", async () => {
    const account = await createAccount({ scopes: LEGACY_SCOPES });
    await createApiKey(account.id, { name: "old key", scopes: LEGACY_SCOPES.slice(0, 5) });
    const staff = await staffSession();
    const plan = planScopeReset({ current: LEGACY_SCOPES });
    const req = request(scopeSetFingerprint(LEGACY_SCOPES), { ticket: "#4242" });

    const outcome = await performScopeReset({ accountId: account.id, request: req, staff, meta: requestMeta("req-success") });
    expect(outcome.replayed).toBe(false);

    const after = await traces(account.id);
    expect(after.scopes).toEqual(plan.after);
    expect(after.scopes).toEqual(expect.arrayContaining([...ERASE_JOB_SCOPES, "2fa_required"]));
    expect(after.scopes).not.toContain("legacy.thing.read");
    expect(after).toMatchObject({ ticketNotes: 2, adminNotes: 1, succeeded: 1, failed: [] });
    expect(after.events).toEqual(["scope_reset.succeeded"]);

    const view = await getScopeResetView(outcome.resetId, staff);
    expect(view).toMatchObject({
      outcome: "succeeded",
      verified: true,
      requestId: "req-success",
      ticket: { ticketId: "4242", url: "https://scopedesk.zendesk.com/agent/tickets/4242" },
      actor: { id: staff.id, name: staff.name },
      added: plan.added,
      removed: plan.removed,
    });
    expect(view).not.toHaveProperty("clientIp");
    const stored = await getDb().scopeReset.findUniqueOrThrow({
      where: { id: outcome.resetId },
      select: { clientIp: true, userAgent: true, durationMs: true },
    });
    expect(stored).toMatchObject({ clientIp: "127.0.0.1", userAgent: "vitest" });
    expect(view.before).toEqual(plan.before);
    expect(view.after).toEqual(plan.after);
    expect(view.notes.before?.body).toContain(`Summary: ${plan.before.length} scopes before the reset.`);
    for (const scope of plan.before) expect(view.notes.before?.body).toContain(scope);
    expect(view.notes.after?.body).toContain(`${plan.added.length} added, ${plan.removed.length} removed.`);
    expect(view.notes.admin?.body).toContain("https://scopedesk.zendesk.com/agent/tickets/4242");
    expect(view.notes.admin?.body).toContain("must create new API keys");
    expect(view.impact?.keysLackingEraseJob.map((k) => k.keyName)).toEqual(["old key"]);
    expect(view.reply?.draft?.text).toContain("- old key (ID: ");
    expect(view.reply?.draft?.text).toMatch(/\nKind regards,\n/);

    const ticket = await getTicketRecord({ ticketId: "4242", url: "https://scopedesk.zendesk.com/agent/tickets/4242" });
    const mine = ticket.entries.filter((e) => (e.type === "reset" ? e.reset.account.id : e.note.accountId) === account.id);
    expect(mine.map((e) => (e.type === "ticket_note" ? e.note.kind : e.type))).toEqual([
      "reset",
      "scopes_before",
      "scopes_after",
      "admin_note",
    ]);

    const detail = await getAccountDetail(account.id);
    expect(detail.history.resets[0]).toMatchObject({ id: outcome.resetId, outcome: "succeeded" });
    expect(detail.history.adminNotes).toHaveLength(1);
    expect(detail.resetPlan.default.nothingToDo).toBe(true);
  });

  it("returns the first result when the same confirmation is repeated, and refuses the key with another body", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const staff = await staffSession();
    const req = request(scopeSetFingerprint(PRE_CUTOFF_SCOPES));

    const first = await performScopeReset({ accountId: account.id, request: req, staff, meta: requestMeta() });
    const again = await performScopeReset({ accountId: account.id, request: req, staff, meta: requestMeta() });
    expect(again).toEqual({ resetId: first.resetId, replayed: true });

    const other = { ...req, ticket: { ticketId: "778", url: "https://scopedesk.zendesk.com/agent/tickets/778" } };
    await expect(performScopeReset({ accountId: account.id, request: other, staff, meta: requestMeta() })).rejects.toMatchObject({
      code: "idempotency_mismatch",
    });
    expect(await traces(account.id)).toMatchObject({ succeeded: 1, failed: [], ticketNotes: 2 });
  });

  it("resets once when 20 confirmations with the same key arrive together", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const staff = await staffSession();
    const req = request(scopeSetFingerprint(PRE_CUTOFF_SCOPES));
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => performScopeReset({ accountId: account.id, request: req, staff, meta: requestMeta() })),
    );
    expect(new Set(outcomes.map((o) => o.resetId)).size).toBe(1);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    expect(await traces(account.id)).toMatchObject({ succeeded: 1, ticketNotes: 2, adminNotes: 1, failed: [] });
  });

  it("lets one of 20 agents confirming at once reset, and tells the others who did and when", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const agents = await Promise.all(Array.from({ length: 20 }, () => staffSession()));
    const fingerprint = scopeSetFingerprint(PRE_CUTOFF_SCOPES);
    const settled = await Promise.allSettled(
      agents.map((staff) => performScopeReset({ accountId: account.id, request: request(fingerprint), staff, meta: requestMeta() })),
    );
    const won = settled.filter((s) => s.status === "fulfilled");
    const lost = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    const winner = agents[settled.findIndex((s) => s.status === "fulfilled")]!;
    for (const { reason } of lost) {
      expect(reason).toBeInstanceOf(AppError);
      expect(reason).toMatchObject({ code: "already_reset", details: { actorName: winner.name } });
      expect((reason as AppError).message).toContain(winner.name);
    }
    const t = await traces(account.id);
    expect(t).toMatchObject({ succeeded: 1, ticketNotes: 2, adminNotes: 1 });
    expect(t.failed).toHaveLength(19);
    expect(t.failed.every((f) => f.failureReason?.startsWith("already_reset:"))).toBe(true);
  });

  it("refuses a confirmation based on a stale preview and asks to review again", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const staff = await staffSession();
    const changed = [...PRE_CUTOFF_SCOPES, "legacy.thing.read"];
    const { ensureScopeSet } = await import("@/lib/scopes/ensure-scope-set");
    const set = await ensureScopeSet(getDb(), changed);
    await getDb().account.update({ where: { id: account.id }, data: { scopeSetId: set.id } });

    await expect(
      performScopeReset({ accountId: account.id, request: request(scopeSetFingerprint(PRE_CUTOFF_SCOPES)), staff, meta: requestMeta() }),
    ).rejects.toMatchObject({ code: "stale_preview", message: expect.stringMatching(/review again/i) });
    const t = await traces(account.id);
    expect(t).toMatchObject({ scopes: set.scopes, succeeded: 0, ticketNotes: 0, adminNotes: 0 });
    expect(t.failed).toHaveLength(1);
    expect(t.events).toEqual(["scope_reset.failed"]);
  });

  it("needs a written reason when both erase-job scopes are already present", async () => {
    const account = await createAccount({ scopes: POST_CUTOFF_SCOPES });
    const staff = await staffSession();
    const fingerprint = scopeSetFingerprint(POST_CUTOFF_SCOPES);
    await expect(
      performScopeReset({ accountId: account.id, request: request(fingerprint), staff, meta: requestMeta() }),
    ).rejects.toMatchObject({
      code: "bad_request",
      message: expect.stringMatching(/nothing to do/i),
    });
    expect(await traces(account.id)).toMatchObject({ succeeded: 0, failed: [], ticketNotes: 0, events: [] });

    const outcome = await performScopeReset({
      accountId: account.id,
      request: request(fingerprint, { reason: "Customer reports 403 with a key created after the reset" }),
      staff,
      meta: requestMeta(),
    });
    const view = await getScopeResetView(outcome.resetId, staff);
    expect(view.reason).toBe("Customer reports 403 with a key created after the reset");
    expect(view.notes.admin?.body).toContain("Reason: Customer reports 403");
  });

  it("refuses an unknown account and writes nothing", async () => {
    const staff = await staffSession();
    const before = await getDb().scopeReset.count();
    await expect(
      performScopeReset({ accountId: 2_000_000_000, request: request("a".repeat(64)), staff, meta: requestMeta() }),
    ).rejects.toMatchObject({ code: "not_found" });
    expect(await getDb().scopeReset.count()).toBe(before);
  });
});

describe("performScopeReset rollback", () => {
  const cleanups: string[] = [];
  afterEach(async () => {
    for (const sql of cleanups.splice(0)) await ownerDb().$executeRawUnsafe(sql);
  });

  /** A trigger that fails one write step for one account only, removed after the test (DDL: as the owner; the reset runs as the app). */
  async function failStep(name: string, table: string, timing: string, condition: string) {
    const fn = `test_fail_${name}`;
    await ownerDb().$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF ${condition} THEN RAISE EXCEPTION 'injected failure at step ${name}'; END IF;
        RETURN NEW;
      END $$`);
    await ownerDb().$executeRawUnsafe(`CREATE TRIGGER ${fn} ${timing} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    cleanups.push(`DROP TRIGGER IF EXISTS ${fn} ON ${table}`, `DROP FUNCTION IF EXISTS ${fn}()`);
  }

  const steps = [
    {
      step: "ticket_note_before",
      table: "ticket_note",
      timing: "BEFORE INSERT",
      condition: (id: number) => `NEW.account_id = ${id} AND NEW.kind = 'scopes_before'`,
    },
    { step: "scope_update", table: "account", timing: "BEFORE UPDATE", condition: (id: number) => `NEW.id = ${id}` },
    {
      step: "ticket_note_after",
      table: "ticket_note",
      timing: "BEFORE INSERT",
      condition: (id: number) => `NEW.account_id = ${id} AND NEW.kind = 'scopes_after'`,
    },
    { step: "admin_note", table: "admin_note", timing: "BEFORE INSERT", condition: (id: number) => `NEW.account_id = ${id}` },
    {
      step: "reset_record",
      table: "scope_reset",
      timing: "BEFORE INSERT",
      condition: (id: number) => `NEW.account_id = ${id} AND NEW.outcome = 'succeeded'`,
    },
    {
      step: "audit_event",
      table: "audit_event",
      timing: "BEFORE INSERT",
      condition: (id: number) => `NEW.target_id = '${id}' AND NEW.action = 'scope_reset.succeeded'`,
    },
  ];

  it.each(steps)("leaves no note, no scope change and no reset when $step fails", async ({ step, table, timing, condition }) => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const staff = await staffSession();
    await failStep(step, table, timing, condition(account.id));

    await expect(
      performScopeReset({ accountId: account.id, request: request(scopeSetFingerprint(PRE_CUTOFF_SCOPES)), staff, meta: requestMeta() }),
    ).rejects.toThrow(`injected failure at step ${step}`);

    const t = await traces(account.id);
    expect(t).toMatchObject({ scopes: PRE_CUTOFF_SCOPES, ticketNotes: 0, adminNotes: 0, succeeded: 0 });
    expect(t.failed).toHaveLength(1);
    // The record says it failed and where to look; the database's own message goes to the log only.
    expect(t.failed[0]!.failureReason).toMatch(/^Internal error: the reset could not be completed \(request id test-/);
    expect(t.failed[0]!.failureReason).not.toContain("injected failure");
    expect(t.events).toEqual(["scope_reset.failed"]);
  });

  it("rolls back and records the attempt when the scopes read back do not verify", async () => {
    const account = await createAccount({ scopes: PRE_CUTOFF_SCOPES });
    const staff = await staffSession();
    // The update "succeeds" but the row keeps its old scope set, as a faulty replica or trigger might.
    await ownerDb().$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_swallow_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = ${account.id} THEN NEW.scope_set_id := OLD.scope_set_id; END IF; RETURN NEW; END $$`);
    await ownerDb().$executeRawUnsafe(
      `CREATE TRIGGER test_swallow_update BEFORE UPDATE ON account FOR EACH ROW EXECUTE FUNCTION test_swallow_update()`,
    );
    cleanups.push("DROP TRIGGER IF EXISTS test_swallow_update ON account", "DROP FUNCTION IF EXISTS test_swallow_update()");

    await expect(
      performScopeReset({ accountId: account.id, request: request(scopeSetFingerprint(PRE_CUTOFF_SCOPES)), staff, meta: requestMeta() }),
    ).rejects.toMatchObject({ code: "reset_failed", message: expect.stringMatching(/did not verify/) });
    const t = await traces(account.id);
    expect(t).toMatchObject({ scopes: PRE_CUTOFF_SCOPES, ticketNotes: 0, adminNotes: 0, succeeded: 0 });
    expect(t.failed[0]!.failureReason).toMatch(/^Verification failed: .*recipients\.erasejob/);
  });
});
