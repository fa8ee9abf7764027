/**
 * The on-behalf-of header: "<subuser username>" or "account-id <account id>".
 * Pure parsing only; the lookup (always among the calling account's own
 * subusers) is in lib/api-keys/resolve-acting-account.ts.
 */
export type OnBehalfOf =
  { kind: "account-id"; accountId: number } | { kind: "username"; username: string } | { kind: "invalid"; reason: string };

const ACCOUNT_ID = /^account-id\s+(\S+)$/i;
const MAX_USERNAME = 128;

/** null when the header is absent. */
export function parseOnBehalfOf(header: string | null | undefined): OnBehalfOf | null {
  if (header === null || header === undefined) return null;
  const value = header.trim();
  if (value === "") return { kind: "invalid", reason: "The on-behalf-of header is empty." };
  const byId = ACCOUNT_ID.exec(value);
  if (byId) {
    const text = byId[1]!;
    const id = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) {
      return { kind: "invalid", reason: `"${text.slice(0, 40)}" is not an account id.` };
    }
    return { kind: "account-id", accountId: id };
  }
  if (/^account-id$/i.test(value)) return { kind: "invalid", reason: 'Expected "account-id <account id>".' };
  if (value.length > MAX_USERNAME || /[\s\u0000-\u001f\u007f]/.test(value)) {
    return { kind: "invalid", reason: "That is not a subuser username." };
  }
  return { kind: "username", username: value };
}
