/**
 * Recipient addresses as the Recipients' Data Erasure API takes them: checked
 * for structural validity and de-duplicated, pure (unit-tested beside).
 *
 * "Structural" means the shape of an ordinary mailbox: a dot-atom local part
 * (RFC 5321/5322, at most 64 octets), "@", and a domain of at least two LDH
 * labels with a non-numeric top-level label, 254 octets in all. Quoted local
 * parts, IP-literal domains and non-ASCII (SMTPUTF8) addresses are refused;
 * nothing is looked up in DNS.
 *
 * Domains are case-insensitive, local parts are not (RFC 5321 §2.4): two
 * addresses are the same when they differ only in the case of the domain.
 * The database matches with the same rule (SQL function email_normalized in
 * prisma/migrations/20261123010000_erasure).
 */

export const MAX_ADDRESSES = 5000;
/** "256Kb" in the contract, read as 256 KiB of request body. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

// One regular expression (V8 compiles it to native code: faster than a
// hand-written scanner over 5,000 addresses per request). The look-aheads
// bound the local part to 64 characters and require a letter in the
// top-level label; the total length is checked before.
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const ADDRESS = new RegExp(`^(?=[^@]{1,64}@)${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+(?=[A-Za-z0-9-]*[A-Za-z])${LABEL}$`);
const UPPER_IN_DOMAIN = /@[^A-Z]*[A-Z]/;

export function isStructurallyValidEmail(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

/** The local part as given, the domain in lower case. Only for valid addresses. */
export function normalizeEmailAddress(address: string): string {
  const at = address.lastIndexOf("@");
  return `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`;
}

export type AddressCheck =
  | { ok: true; /** Unique normalized addresses, first occurrence order. */ addresses: string[] }
  | { ok: false; /** Each invalid address once, as given, first occurrence order. */ invalid: string[] };

export function checkAddresses(input: readonly string[]): AddressCheck {
  const unique = new Set<string>();
  const invalid = new Set<string>();
  for (const address of input) {
    if (!isStructurallyValidEmail(address)) invalid.add(address);
    else if (invalid.size === 0) unique.add(UPPER_IN_DOMAIN.test(address) ? normalizeEmailAddress(address) : address);
  }
  return invalid.size > 0 ? { ok: false, invalid: [...invalid] } : { ok: true, addresses: [...unique] };
}

/** How an invalid address is named in the error message: in full unless absurdly long. */
export function displayAddress(address: string): string {
  return address.length > 320 ? `${address.slice(0, 320)}…` : address;
}

/** The contract's message for one invalid address. */
export function invalidAddressMessage(address: string): string {
  return `Email_address ${displayAddress(address)} is not valid`;
}
