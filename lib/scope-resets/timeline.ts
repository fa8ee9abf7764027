/**
 * The order a ticket's or an account's record is read in: oldest first, and
 * within one reset (same instant) the reset, then ticket note 1, note 2, the
 * admin note. One rule for the ticket page and the audit timeline. Pure.
 */
const ORDER = { reset: 0, scopes_before: 1, scopes_after: 2, admin_note: 3 } as const;

export function timelineOrder(kind: keyof typeof ORDER | string): number {
  return ORDER[kind as keyof typeof ORDER] ?? 2;
}

/** Sorts in place by (at, order) and returns the same array. */
export function orderTimeline<E extends { at: string; order: number }>(entries: E[]): E[] {
  return entries.sort((a, b) => (a.at === b.at ? a.order - b.order : a.at < b.at ? -1 : 1));
}
