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

// Character classes by code (ASCII only): a hand-rolled scanner is several
// times faster than regular expressions over 5,000 addresses per request.
const ATEXT = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-") ATEXT[c.charCodeAt(0)] = 1;
const LDH = new Uint8Array(128);
for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") LDH[c.charCodeAt(0)] = 1;
const DOT = 46;
const HYPHEN = 45;
const AT = 64;

const INVALID = 0;
const VALID = 1;
const VALID_UPPER_DOMAIN = 2;

export function isStructurallyValidEmail(address: string): boolean {
  return scan(address) !== INVALID;
}

/** INVALID, VALID, or VALID_UPPER_DOMAIN when the domain needs lower-casing. */
function scan(address: string): number {
  const length = address.length;
  if (length < 3 || length > 254) return INVALID;
  const at = address.lastIndexOf("@");
  if (at <= 0 || at > 64 || at === length - 1 || length - at - 1 > 253) return INVALID;
  // Local part: dot-atom, no leading, trailing or double dots.
  let previous = DOT;
  for (let i = 0; i < at; i++) {
    const c = address.charCodeAt(i);
    if (c === DOT) {
      if (previous === DOT) return INVALID;
    } else if (c >= 128 || ATEXT[c] !== 1) {
      return INVALID;
    }
    previous = c;
  }
  if (previous === DOT) return INVALID;
  // Domain: at least two labels of 1–63 letters, digits and inner hyphens; the last not all digits.
  let labels = 0;
  let labelLength = 0;
  let labelHasLetter = false;
  let upper = false;
  previous = DOT;
  for (let i = at + 1; i <= length; i++) {
    const c = i === length ? DOT : address.charCodeAt(i);
    if (c === DOT) {
      if (labelLength === 0 || previous === HYPHEN) return INVALID;
      labels++;
      if (i === length && !labelHasLetter) return INVALID;
      labelLength = 0;
      labelHasLetter = false;
    } else {
      if (c >= 128 || LDH[c] !== 1 || c === AT) return INVALID;
      if (c === HYPHEN && labelLength === 0) return INVALID;
      if (++labelLength > 63) return INVALID;
      if (c > 57 || c < 48) labelHasLetter = labelHasLetter || c !== HYPHEN;
      if (c >= 65 && c <= 90) upper = true;
    }
    previous = c;
  }
  if (labels < 2) return INVALID;
  return upper ? VALID_UPPER_DOMAIN : VALID;
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
    const result = scan(address);
    if (result === INVALID) invalid.add(address);
    else if (invalid.size === 0) unique.add(result === VALID ? address : normalizeEmailAddress(address));
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
