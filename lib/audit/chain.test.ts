import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  auditEventCanonical,
  auditEventCanonicalAroundSeq,
  auditEventHash,
  canonicalJson,
  GENESIS_HASH,
  verifyChainSegment,
  type ChainedEvent,
} from "./chain";

function chain(n: number): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const content = {
      seq: BigInt(i),
      id: `00000000-0000-4000-8000-00000000000${i}`,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      actorId: null,
      actorName: "Alex Agent",
      actorEmail: "agent@scopedesk.test",
      action: "scope_reset.succeeded",
      targetType: "account",
      targetId: String(1000 + i),
      ticketId: "12345",
      details: { added: ["recipients.erasejob.create"], n: i },
      ip: "127.0.0.1",
      userAgent: "test",
      requestId: `req-${i}`,
    };
    const hash = auditEventHash(prev, content);
    events.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return events;
}

describe("auditEventCanonicalAroundSeq", () => {
  it("puts any seq back into exactly the canonical text, so the database's hash is auditEventHash", () => {
    const [event] = chain(1);
    // Details that look like a seq, inside strings and as a nested key, must not confuse the split.
    const tricky = { ...event!, details: { seq: "0", note: 'he wrote "seq":"0" here', z: [{ seq: "0" }] }, userAgent: '"seq":"0"' };
    const { seq: _seq, prevHash: _p, hash: _h, ...withoutSeq } = tricky;
    const { before, after } = auditEventCanonicalAroundSeq(withoutSeq);
    for (const seq of [1n, 42n, 9_007_199_254_740_993n]) {
      expect(`${before}${seq}${after}`).toBe(auditEventCanonical({ ...tricky, seq }));
      const sqlLike = createHash("sha256").update(`${GENESIS_HASH}\n${before}${seq}${after}`, "utf8").digest("hex");
      expect(sqlLike).toBe(auditEventHash(GENESIS_HASH, { ...tricky, seq }));
    }
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe("verifyChainSegment", () => {
  it("accepts an intact chain", () => {
    expect(verifyChainSegment(chain(5))).toMatchObject({ ok: true, count: 5 });
  });

  it("finds an altered row", () => {
    const events = chain(5);
    events[2] = { ...events[2]!, details: { added: ["everything"] } };
    expect(verifyChainSegment(events)).toMatchObject({ ok: false, brokenAt: 3n, count: 2 });
  });

  it("finds a removed row", () => {
    const events = chain(5);
    events.splice(1, 1);
    expect(verifyChainSegment(events)).toMatchObject({ ok: false, brokenAt: 3n });
  });

  it("finds a row whose hash was recomputed but whose successor still points at the old one", () => {
    const events = chain(4);
    const forged = { ...events[1]!, actorEmail: "someone@else.test" };
    forged.hash = auditEventHash(forged.prevHash, forged);
    events[1] = forged;
    expect(verifyChainSegment(events)).toMatchObject({ ok: false, brokenAt: 3n });
  });
});
