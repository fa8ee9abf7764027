import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportScopeResets } from "@/lib/audit/export-scope-resets";
import { auditExportQuerySchema } from "@/lib/audit/filters";
import { generateAuditSigningKeyPem, parseAuditSigningKey, publicKeyPem } from "@/lib/audit/signing-key";
import { signAuditCheckpoint } from "@/lib/audit/sign-audit-checkpoint";
import { verifyExport } from "@/lib/audit/verify-export";
import { getConfig } from "@/lib/platform/config";
import { createAccount, createAuditedScopeReset, requestMeta, staffByEmail } from "../support/factories";

/**
 * The JSON Lines export verifies offline, with the public key alone
 * (decision 036): the untampered file does; changing, removing or reordering
 * any one of its lines does not, nor does a forged checkpoint signature.
 */
const key = getConfig().audit.signingKey!;
let file: Buffer;
let lines: string[];
let dir: string;

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const fromLines = (list: string[]) => Buffer.from(`${list.join("\n")}\n`, "utf8");

beforeAll(async () => {
  const lead = await staffByEmail("lead@scopedesk.test");
  const alex = await staffByEmail("agent@scopedesk.test");
  const account = await createAccount();
  // A checkpoint just before this file's resets, as the worker signs them every few minutes: the export's stretch of
  // chain starts there, not at whatever earlier test files wrote since the last one (a family of 500 subusers
  // writes thousands of events), so tampering with each of its lines stays a few hundred verifications.
  await signAuditCheckpoint({ key });
  const at = Date.UTC(2023, 5, 1) + Math.floor(Math.random() * 1000) * 60_000;
  for (let i = 0; i < 3; i++) {
    await createAuditedScopeReset({
      accountId: account.id,
      actor: alex,
      outcome: i === 1 ? "failed" : "succeeded",
      createdAt: new Date(at + i * 3_600_000),
    });
  }
  const query = auditExportQuerySchema().parse({ account: String(account.id), format: "jsonl" });
  const exported = await exportScopeResets({ id: lead.id, role: "lead", name: lead.name, email: lead.email }, query, requestMeta());
  file = await readAll(exported.body);
  lines = file.toString("utf8").trimEnd().split("\n");
  dir = await mkdtemp(path.join(tmpdir(), "scopedesk-export-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a JSON Lines export", () => {
  it("holds the resets, the stretch of chain they sit in, a covering checkpoint and a seal", () => {
    const types = lines.map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types[0]).toBe("header");
    expect(types.length).toBeLessThan(300);
    expect(types.filter((t) => t === "scope_reset")).toHaveLength(3);
    expect(types.filter((t) => t === "audit_event").length).toBeGreaterThanOrEqual(3);
    expect(types.filter((t) => t === "checkpoint").length).toBeGreaterThanOrEqual(1);
    expect(types.slice(-2)).toEqual(["end", "seal"]);
    const resets = lines
      .map((l) => JSON.parse(l) as { type: string; verified?: boolean; audit_seq?: string })
      .filter((r) => r.type === "scope_reset");
    expect(resets.map((r) => r.verified)).toEqual([true, false, true]);
    expect(resets.every((r) => /^\d+$/.test(r.audit_seq ?? ""))).toBe(true);
  });

  it("verifies, untampered, with the public key alone", () => {
    const result = verifyExport(file, [key]);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ ok: true, counts: { scopeResets: 3 } });
    expect(result.summary).toMatch(/^Verified: 3 reset records, \d+ audit events and \d+ signed checkpoints\. The file is sealed with key/);
    expect(result.summary).toMatch(/Every reset record matches its own audit event\./);
  });

  it("does not verify with another key", () => {
    const other = parseAuditSigningKey(generateAuditSigningKeyPem());
    expect(verifyExport(file, [other]).problems[0]).toMatch(/sealed with key .* whose public key was not given/);
  });

  it("detects any one line changed", () => {
    for (const [i, text] of lines.entries()) {
      const record = JSON.parse(text) as Record<string, unknown>;
      // Change one value the line really holds: a name, a hash, a count, a signature.
      const field = ["actor_name", "action", "hash", "signature", "scope_resets", "filter"].find((f) => f in record) ?? "type";
      record[field] = typeof record[field] === "string" ? `${record[field] as string}x` : "changed";
      const changed = [...lines];
      changed[i] = JSON.stringify(record);
      const result = verifyExport(fromLines(changed), [key]);
      expect(result.ok, `line ${i + 1} (${field}) changed`).toBe(false);
    }
  });

  it("detects any one line removed", () => {
    for (const i of lines.keys()) {
      const result = verifyExport(fromLines(lines.filter((_, j) => j !== i)), [key]);
      expect(result.ok, `line ${i + 1} removed`).toBe(false);
    }
  });

  it("detects any two neighbouring lines swapped", () => {
    for (let i = 0; i + 1 < lines.length; i++) {
      const swapped = [...lines];
      [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
      expect(verifyExport(fromLines(swapped), [key]).ok, `lines ${i + 1} and ${i + 2} swapped`).toBe(false);
    }
  });

  it("reports a forged checkpoint signature, and a chain that no longer matches, even with the seal taken off", () => {
    const i = lines.findIndex((l) => l.includes('"type":"checkpoint"'));
    const forged = [...lines];
    const checkpoint = JSON.parse(forged[i]!) as { signature: string };
    checkpoint.signature = Buffer.alloc(64, 7).toString("base64");
    forged[i] = JSON.stringify(checkpoint);
    const result = verifyExport(fromLines(forged), [key]);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/seal does not match/),
        expect.stringMatching(/has a signature that does not verify: it is forged/),
      ]),
    );

    // Without the seal, the checkpoints and the chain still speak for the events and the resets.
    const unsealed = lines.slice(0, -1);
    // The audit event of the first exported reset.
    const seq = unsealed.map((l) => JSON.parse(l) as { type: string; audit_seq?: string }).find((r) => r.type === "scope_reset")!.audit_seq;
    const e = unsealed.findIndex((l) => {
      const record = JSON.parse(l) as { type: string; seq?: string };
      return record.type === "audit_event" && record.seq === seq;
    });
    const event = JSON.parse(unsealed[e]!) as { actor_name: string };
    event.actor_name = "Mallory";
    unsealed[e] = JSON.stringify(event);
    const problems = verifyExport(fromLines(unsealed), [key]).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/has no seal/),
        `The first broken event is #${seq}: its stored hash does not match its fields.`,
        expect.stringMatching(new RegExp(`differs from its audit event #${seq} in actor_name`)),
      ]),
    );
  });

  it("is checked by `npm run audit:verify-export`, offline", async () => {
    const good = path.join(dir, "export.jsonl");
    const bad = path.join(dir, "tampered.jsonl");
    const pem = path.join(dir, "audit-signing-key.pub.pem");
    await writeFile(good, file);
    await writeFile(bad, fromLines(lines.filter((l) => !l.includes('"type":"checkpoint"'))));
    await writeFile(pem, publicKeyPem(key));
    // No database and no configuration: the command gets neither.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "test" };
    const run = promisify(execFile);
    const ok = await run(process.execPath, ["--import", "tsx", "scripts/audit-verify-export.ts", good, "--public-key", pem], { env });
    expect(ok.stdout).toMatch(/^Verified: 3 reset records/);
    const failed = await run(process.execPath, ["--import", "tsx", "scripts/audit-verify-export.ts", bad, "--public-key", pem], {
      env,
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/NOT verified/);
    expect(failed?.stderr).toMatch(/seal does not match/);
  });
});
