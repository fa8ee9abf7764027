import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  auditEventHash,
  auditEventHashV2,
  auditEventTextV2,
  canonicalJson,
  canonicalJsonText,
  GENESIS_HASH,
  verifyChainSegment,
  type ChainedEvent,
} from "./chain";

function content(i: number) {
  return {
    seq: BigInt(i),
    id: `00000000-0000-4000-8000-00000000000${i % 10}`,
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
}

/** `n` events: the first `v1` under hash rule 1 (before decision 035), the rest under rule 2, as the database writes them. */
function chain(n: number, v1 = 0): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const c = content(i);
    const event =
      i <= v1
        ? { ...c, prevHash: prev, hash: auditEventHash(prev, c), hashVersion: 1 }
        : {
            ...c,
            details: JSON.stringify(c.details),
            prevHash: prev,
            hash: auditEventHashV2(prev, { ...c, details: JSON.stringify(c.details) }),
            hashVersion: 2,
          };
    events.push(event);
    prev = event.hash;
  }
  return events;
}

describe("canonicalJson (rule 1)", () => {
  it("sorts keys at every depth and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});

describe("canonicalJsonText (rule 2, as audit_canonical_json)", () => {
  it("sorts keys by code point, keeps numbers as written, drops whitespace", () => {
    // U+FFFF sorts before U+1F600 by code point (and by UTF-8 bytes), though its UTF-16 unit is larger.
    expect(canonicalJsonText('{"b": 1.50, "\u{1F600}": 1, "\uffff": 2, "a": [1000, {"z": null, "é": true}], "aa": 0.0}')).toBe(
      '{"a":[1000,{"z":null,"é":true}],"aa":0.0,"b":1.50,"\uffff":2,"\u{1F600}":1}',
    );
  });

  it("keeps integers beyond 2^53 exactly", () => {
    expect(canonicalJsonText('{"n": 9007199254740993}')).toBe('{"n":9007199254740993}');
  });

  it("escapes strings as PostgreSQL's JSON output does", () => {
    expect(canonicalJsonText(JSON.stringify({ s: 'tab\t quote" back\\ ctl\u0001 slash/ line\u2028' }))).toBe(
      '{"s":"tab\\t quote\\" back\\\\ ctl\\u0001 slash/ line\u2028"}',
    );
  });
});

describe("auditEventTextV2", () => {
  it("is the fixed-order JSON object append_audit_event builds, prevHash and version inside", () => {
    const text = auditEventTextV2({ ...content(7), details: '{"n": 7, "added": ["x"]}', prevHash: "ab".repeat(32) });
    expect(text).toBe(
      '{"action":"scope_reset.succeeded","actorEmail":"agent@scopedesk.test","actorId":null,"actorName":"Alex Agent",' +
        '"details":{"added":["x"],"n":7},"id":"00000000-0000-4000-8000-000000000007","ip":"127.0.0.1",' +
        `"occurredAt":"2026-01-01T00:00:07.000Z","prevHash":"${"ab".repeat(32)}","requestId":"req-7","seq":"7",` +
        '"targetId":"1007","targetType":"account","ticketId":"12345","userAgent":"test","v":2}',
    );
    expect(auditEventHashV2("ab".repeat(32), { ...content(7), details: '{"n": 7, "added": ["x"]}' })).toBe(
      createHash("sha256").update(text, "utf8").digest("hex"),
    );
  });
});

describe("verifyChainSegment", () => {
  it("accepts an intact chain, across the change from rule 1 to rule 2", () => {
    expect(verifyChainSegment(chain(6, 3))).toMatchObject({ ok: true, count: 6, lastSeq: 6n });
  });

  it.each([
    ["rule 1", 5],
    ["rule 2", 0],
  ])("finds an altered row (%s)", (_rule, v1) => {
    const events = chain(5, v1);
    events[2] = { ...events[2]!, actorName: "Mallory" };
    expect(verifyChainSegment(events)).toMatchObject({ ok: false, brokenAt: 3n, count: 2, problem: "hash" });
  });

  it("finds a row whose hash version was flipped", () => {
    const events = chain(4, 2);
    events[3] = { ...events[3]!, hashVersion: 1 };
    expect(verifyChainSegment(events)).toMatchObject({ ok: false, brokenAt: 4n, problem: "hash" });
  });

  it("finds a removed row", () => {
    const events = chain(5);
    events.splice(1, 1);
    expect(verifyChainSegment(events)).toMatchObject({
      ok: false,
      brokenAt: 2n,
      problem: "missing",
      reason: expect.stringMatching(/is missing: after event #1 comes #3/),
    });
  });

  it("finds two rows swapped", () => {
    const events = chain(5);
    [events[1], events[2]] = [events[2]!, events[1]!];
    expect(verifyChainSegment(events)).toMatchObject({ ok: false, brokenAt: 2n, problem: "missing" });
  });

  it("finds a row whose hash was recomputed but whose successor still points at the old one", () => {
    const events = chain(4);
    const forged = { ...events[1]!, actorEmail: "someone@else.test" };
    forged.hash = auditEventHashV2(forged.prevHash, forged);
    events[1] = forged;
    expect(verifyChainSegment(events)).toMatchObject({ ok: false, brokenAt: 3n, problem: "link" });
  });
});
