/**
 * Open-redirect payloads as an attacker writes them in a link's query string
 * (`/signin?callbackUrl=<payload>`). Every one must end on "/" (unit test of
 * lib/platform/safe-redirect.ts) and never leave the site or cause a 5xx
 * (tests/http/redirects.test.ts, against the production build).
 */
export const REDIRECT_PAYLOADS: readonly string[] = [
  // issue 13: a tab, a line feed, a carriage return or a NUL after the first slash
  "/%09/evil.example/phish",
  "/%0a/evil.example",
  "/%0d/evil.example",
  "/%00/evil.example",
  "%09//evil.example",
  "/%09%09/evil.example",
  "/%0d%0aSet-Cookie:%20stolen=1",
  "%0d%0aLocation:%20https://evil.example",
  // ideographic, fullwidth and halfwidth dots and slashes, no-break space, bidi override
  "%E3%80%82evil.example",
  "/%E3%80%82evil.example",
  "//evil%E3%80%82example",
  "/%EF%BC%8E%EF%BC%8E/evil.example",
  "/%EF%BD%A1evil.example",
  "/%EF%BC%8Fevil.example",
  "/%C2%A0/evil.example",
  "/%E2%80%AE/elpmaxe.live",
  "/%E3%80",
  // protocol-relative, encoded slashes, dot segments
  "//evil.example",
  "////evil.example",
  "/%2F/evil.example",
  "%2F%2Fevil.example",
  "/%252F/evil.example",
  "/%%32%66/evil.example",
  "/..//evil.example",
  "/%2e%2e%2f%2fevil.example",
  "/.%2F%2Fevil.example",
  // backslashes, raw and encoded
  "/\\evil.example",
  "/%5Cevil.example",
  "/%5C/evil.example",
  "%5C%5Cevil.example",
  "/%255C/evil.example",
  // schemes
  "https://evil.example",
  "http:evil.example",
  "https:/evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt%3Aalert(1)",
  "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
  // user info
  "/@evil.example",
  "/%40evil.example",
  "http://localhost@evil.example/",
  // spaces, and input too long to be one of our links
  "/%20/evil.example",
  "+//evil.example",
  `/${"a".repeat(3000)}`,
];

/** The console's own links, as it writes them: these are kept. */
export const OWN_PATHS: readonly string[] = [
  "/",
  "/lookup?q=ops%40acme-legacy.example&ticket=4242",
  "/lookup?q=jane+doe",
  "/lookup?q=m%C3%BCller",
  "/accounts/1234?ticket=%234242",
  "/tickets/https%3A%2F%2Facme.zendesk.com%2Fagent%2Ftickets%2F4242",
  "/audit?range=7d&outcome=failed",
  "/scope-resets/0b8f0d2e-8c1e-4a52-9a55-5d1a3c7f9e10",
  "/audit/resets/0b8f0d2e-8c1e-4a52-9a55-5d1a3c7f9e10",
];
