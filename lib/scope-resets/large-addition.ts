/**
 * When a reset gives an account many scopes it does not have today (a
 * partial account of 3 scopes gets the default set of 274), the confirmation
 * says so in words, so the agent reviews the list instead of reading "+271"
 * as routine. The usual legacy reset adds the two erase-job scopes to a full
 * set and says nothing. Pure.
 */

/** At least this many scopes added… */
export const LARGE_ADDITION_MIN = 20;

/** …and at least as many as the account holds today: then the notice. */
export function largeAdditionNotice(plan: { added: number; removed: number; afterCount: number }): string | null {
  const before = plan.afterCount - plan.added + plan.removed;
  if (plan.added < LARGE_ADDITION_MIN || plan.added < before) return null;
  const n = plan.added.toLocaleString("en");
  const all = plan.afterCount.toLocaleString("en");
  return before === 0
    ? `This gives the account ${n} scopes; it has none today: review the list.`
    : `This gives the account ${n} scopes it does not have today, ${all} in all (it has ${before.toLocaleString("en")} now): review the list.`;
}
