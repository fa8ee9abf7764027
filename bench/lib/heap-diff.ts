/**
 * What grew between two V8 heap snapshots, by kind of node (type and
 * constructor name): self size and count, largest growth first. Enough to
 * tell retained objects (a leak) from compiled code (V8 optimising hot paths,
 * which levels off).
 */
import { readFileSync } from "node:fs";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGrowth {
  kind: string;
  bytes: number;
  count: number;
}

function totals(file: string): Map<string, { bytes: number; count: number }> {
  const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = [fields.indexOf("type"), fields.indexOf("name"), fields.indexOf("self_size")];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const name = type.includes("string")
      ? "(string)"
      : type === "code"
        ? "(code)"
        : String(snap.strings[snap.nodes[i + nameAt]!]).slice(0, 80);
    const key = `${type}: ${name}`;
    const t = out.get(key) ?? { bytes: 0, count: 0 };
    t.bytes += snap.nodes[i + sizeAt]!;
    t.count += 1;
    out.set(key, t);
  }
  return out;
}

export function heapGrowth(beforeFile: string, afterFile: string, top = 12): { total: number; codeBytes: number; rows: HeapGrowth[] } {
  const [before, after] = [totals(beforeFile), totals(afterFile)];
  const rows: HeapGrowth[] = [];
  for (const [kind, a] of after) {
    const b = before.get(kind) ?? { bytes: 0, count: 0 };
    rows.push({ kind, bytes: a.bytes - b.bytes, count: a.count - b.count });
  }
  for (const [kind, b] of before) if (!after.has(kind)) rows.push({ kind, bytes: -b.bytes, count: -b.count });
  rows.sort((x, y) => y.bytes - x.bytes);
  const total = rows.reduce((s, r) => s + r.bytes, 0);
  const codeBytes = rows.filter((r) => r.kind.startsWith("code:")).reduce((s, r) => s + r.bytes, 0);
  return { total, codeBytes, rows: rows.slice(0, top) };
}
