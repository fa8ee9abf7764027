/**
 * A reset's change, grouped the way the scope catalog groups scopes, so a lead
 * reads "Mail Send: +2" rather than a flat list of dotted names.
 */
import { groupOf, normalizeScopes, SCOPE_GROUPS } from "@/lib/scopes/catalog";

export interface GroupDiff {
  id: string;
  label: string;
  added: string[];
  removed: string[];
  kept: string[];
}

export const UNKNOWN_GROUP = { id: "unknown", label: "Not in the catalog" } as const;

/** Groups in catalog order (unknown scopes last); only groups that appear in either set. */
export function groupedDiff(before: Iterable<string>, after: Iterable<string>): GroupDiff[] {
  const b = new Set(normalizeScopes(before));
  const a = new Set(normalizeScopes(after));
  const byGroup = new Map<string, GroupDiff>();
  const entry = (scope: string) => {
    const group = groupOf(scope) ?? UNKNOWN_GROUP;
    let diff = byGroup.get(group.id);
    if (!diff) byGroup.set(group.id, (diff = { id: group.id, label: group.label, added: [], removed: [], kept: [] }));
    return diff;
  };
  for (const scope of normalizeScopes([...b, ...a])) {
    const diff = entry(scope);
    if (b.has(scope) && a.has(scope)) diff.kept.push(scope);
    else if (a.has(scope)) diff.added.push(scope);
    else diff.removed.push(scope);
  }
  const order = new Map(SCOPE_GROUPS.map((g, i) => [g.id, i]));
  return [...byGroup.values()].sort((x, y) => (order.get(x.id) ?? Infinity) - (order.get(y.id) ?? Infinity));
}
