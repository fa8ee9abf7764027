/**
 * Whether a ticket's requester speaks for an account: the account's own
 * e-mail or its parent's (a subuser's owner), else at least the same e-mail
 * domain. The console warns on anything else before a reset. Pure.
 */
export function requesterMatch(
  requesterEmail: string | null,
  account: { email: string; parentEmail: string | null },
): "same" | "same_domain" | "other" | "unknown" {
  if (!requesterEmail) return "unknown";
  const requester = requesterEmail.toLowerCase();
  const emails = [account.email, account.parentEmail].filter((e): e is string => !!e).map((e) => e.toLowerCase());
  if (emails.includes(requester)) return "same";
  const domain = (email: string) => email.slice(email.lastIndexOf("@") + 1);
  return emails.some((e) => domain(e) === domain(requester)) ? "same_domain" : "other";
}
