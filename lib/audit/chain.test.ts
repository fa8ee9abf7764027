import { describe, expect, it } from "vitest";
import { auditEventHash, canonicalJson, GENESIS_HASH, verifyChainSegment, type ChainedEvent } from "./chain";

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
