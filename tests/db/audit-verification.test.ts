import { describe, expect, it } from "vitest";
import { getChainVerification } from "@/lib/audit/get-chain-verification";
import { runChainVerification } from "@/lib/audit/run-chain-verification";
import { startChainVerification } from "@/lib/audit/start-chain-verification";
import { getDb } from "@/lib/platform/db";
import { requestMeta, staffByEmail } from "../support/factories";

/**
 * "Verify chain" (decision 036): a lead's request is recorded and queued as a
 * pg-boss job in the same transaction; the worker walks the chain writing its
 * progress and the report in words, and records the result in the log.
 */
describe("a chain verification", () => {
  it("is queued once, audited, run by the worker to a report in words, and recorded", async () => {
    const lead = await staffByEmail("lead@scopedesk.test");
    const staff = { ...lead, role: "lead" as const, sessionId: "test", expiresAt: new Date(Date.now() + 3_600_000) };
    const meta = requestMeta();
    const first = await startChainVerification({ staff: staff as never, meta });
    expect(first).toMatchObject({
      started: true,
      verification: { status: "queued", requestedByName: lead.name, percent: 0, report: null },
    });
    // Asked again while it is queued: the same one, not a second walk.
    const again = await startChainVerification({ staff: staff as never, meta: requestMeta() });
    expect(again).toMatchObject({ started: false, verification: { id: first.verification.id } });

    const requested = await getDb().auditEvent.findFirst({
      where: { action: "audit.chain_verification_requested", requestId: meta.requestId },
    });
    expect(requested).toMatchObject({ actorId: lead.id, targetId: first.verification.id });
    const [job] = await getDb().$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pgboss.job WHERE name = 'audit.verify-chain' AND data->>'verificationId' = ${first.verification.id}`;
    expect(Number(job!.n)).toBe(1);

    expect(await runChainVerification(first.verification.id, { jobId: "test-job" })).toMatchObject({ ok: true });
    const done = await getChainVerification(first.verification.id);
    expect(done).toMatchObject({ status: "done", percent: 100, report: { ok: true, problem: null } });
    expect(done.checkedEvents).toBe(done.totalEvents);
    expect(done.report!.summary).toMatch(/^Intact through event #\d+: all [\d,]+ events match their hashes and links/);
    const recorded = await getDb().auditEvent.findFirst({ where: { action: "audit.chain_verified", targetId: first.verification.id } });
    expect(recorded).toMatchObject({
      actorId: lead.id,
      requestId: "job:test-job",
      details: { ok: true, intactThrough: done.report!.intactThrough },
    });

    // Run again (a retried job): nothing more happens. Asked again now: a new walk.
    expect(await runChainVerification(first.verification.id)).toEqual({ skipped: "already done" });
    const next = await startChainVerification({ staff: staff as never, meta: requestMeta() });
    expect(next.started).toBe(true);
    expect(next.verification.id).not.toBe(first.verification.id);
    await runChainVerification(next.verification.id);
  });
});
