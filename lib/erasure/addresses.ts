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
 * Addresses are matched and de-duplicated case-insensitively in full. RFC
 * 5321 §2.4 lets a receiving host treat local parts as case-sensitive, but no
 * mailbox provider does, and to the sender "Case.X@example.com" and
 * "CASE.X@example.com" are the same person: erasing one and keeping the other
 * is not an erasure (docs/decisions/009-erasure-matches-case-insensitively.md).
 * The database matches on lower(recipient_email) (migration
 * 20261201200100_erasure_case_insensitive); only ASCII addresses are
 * accepted, so JavaScript's and Postgres's lower() agree.
 */

export const MAX_ADDRESSES = 5000;
/** "256Kb" in the contract, read as 256 KiB of request body. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

// A single pass over the characters with lookup tables, hand-written because
// it is on the hot path of every erase request (5,000 addresses) and no
// library checks and finds upper case in one pass (figures: decision 018).
// The unit test beside checks it against a regular-expression reading of the
// same rules.
const ATOM_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-";
const IS_ATOM = new Uint8Array(128);
for (const ch of ATOM_CHARS) IS_ATOM[ch.charCodeAt(0)] = 1;
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;
const HYPHEN = 4;
const LDH_KIND = new Uint8Array(128);
for (let c = 97; c <= 122; c++) LDH_KIND[c] = LOWER;
for (let c = 65; c <= 90; c++) LDH_KIND[c] = UPPER;
for (let c = 48; c <= 57; c++) LDH_KIND[c] = DIGIT;
LDH_KIND[45] = HYPHEN;

const INVALID = 0;
const VALID = 1;
const VALID_WITH_UPPER = 2;
type Scan = typeof INVALID | typeof VALID | typeof VALID_WITH_UPPER;

function scanAddress(address: string): Scan {
  const length = address.length;
  if (length > 254) return INVALID;
  // Local part: dot-separated atoms, up to the first "@".
  let i = 0;
  let afterDot = true;
  let upper = false;
  for (; i < length; i++) {
    const c = address.charCodeAt(i);
    if (c === 64) break;
    if (c === 46) {
      if (afterDot) return INVALID;
      afterDot = true;
    } else if (c < 128 && IS_ATOM[c] === 1) {
      afterDot = false;
      if (c >= 65 && c <= 90) upper = true;
    } else return INVALID;
  }
  if (i === length || i === 0 || i > 64 || afterDot) return INVALID;
  // Domain: two or more LDH labels of 1 to 63, no hyphen at either end, a letter in the last.
  let dots = 0;
  let labelLength = 0;
  let hyphenLast = false;
  let letter = false;
  for (i++; i < length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      if (labelLength === 0 || hyphenLast) return INVALID;
      dots++;
      labelLength = 0;
      letter = false;
      continue;
    }
    const kind = c < 128 ? LDH_KIND[c]! : 0;
    if (kind === 0) return INVALID;
    if (kind === HYPHEN) {
      if (labelLength === 0) return INVALID;
      hyphenLast = true;
    } else {
      hyphenLast = false;
      if (kind === UPPER) upper = letter = true;
      else if (kind === LOWER) letter = true;
    }
    if (++labelLength > 63) return INVALID;
  }
  if (labelLength === 0 || hyphenLast || dots === 0 || !letter) return INVALID;
  return upper ? VALID_WITH_UPPER : VALID;
}

export function isStructurallyValidEmail(address: string): boolean {
  return scanAddress(address) !== INVALID;
}

/** The form addresses are matched and de-duplicated in: all lower case. Only for valid (ASCII) addresses. */
export function normalizeEmailAddress(address: string): string {
  return address.toLowerCase();
}

export type AddressCheck =
  | { ok: true; /** Unique normalized (lower-case) addresses, first occurrence order. */ addresses: string[] }
  | { ok: false; /** Each invalid address once, as given, first occurrence order. */ invalid: string[] };

export function checkAddresses(input: readonly string[]): AddressCheck {
  const unique = new Set<string>();
  const invalid = new Set<string>();
  for (const address of input) {
    const scan = scanAddress(address);
    if (scan === INVALID) invalid.add(address);
    else if (invalid.size === 0) unique.add(scan === VALID_WITH_UPPER ? normalizeEmailAddress(address) : address);
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
