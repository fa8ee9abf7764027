/**
 * Where the console may send a browser after sign-in or sign-out: only one of
 * its own paths. Anything else falls back to "/". Used by the sign-in page,
 * the page guard and Auth.js's redirect callback (auth.ts), so there is one rule.
 *
 * The rule is strict because browsers are lenient: they drop tabs and line
 * breaks from URLs ("/\t/evil" is "//evil", another host), read "\" as "/",
 * and map ideographic and fullwidth dots to "." in host names; and a raw
 * control or non-ASCII character in a Location header is a server error.
 * The console's own links are always percent-encoded ASCII (URLSearchParams,
 * encodeURIComponent), so refusing everything else loses nothing.
 */
export const FALLBACK_PATH = "/";
export const MAX_RETURN_PATH_LENGTH = 2048;

// A path of URL characters as encodeURIComponent and URLSearchParams write them: no space, backslash, "@", quotes or brackets.
const PLAIN_PATH = /^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:/?#%]*$/;
// Control, format and invisible characters and every space but the plain one, in any decoded layer.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]|(?! )\p{Zs}/u;
const DECODE_LAYERS = 5;

/** Each percent-decoding of the text until it stops changing; null when an escape is malformed or it never settles. */
function decodedLayers(text: string): string[] | null {
  const layers: string[] = [];
  let current = text;
  for (let i = 0; i < DECODE_LAYERS; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) return layers;
    layers.push(next);
    current = next;
  }
  return null;
}

function isHarmlessLayer(layer: string): boolean {
  if (INVISIBLE.test(layer) || layer.includes("\\")) return false;
  if (!layer.startsWith("/") || layer.startsWith("//")) return false;
  // Before the query, a decoded path holds only printable ASCII and no "@":
  // nothing a proxy or browser that decodes it could read as another host.
  // Nor dot segments, which resolve "/..//evil.example" to "//evil.example".
  const path = layer.split(/[?#]/, 1)[0]!;
  return /^[\x21-\x7e]*$/.test(path) && !path.includes("@") && !/\/\.{1,2}(\/|$)/.test(path);
}

/** A path on this site to go to, or "/". */
export function safeReturnPath(raw: unknown): string {
  if (typeof raw !== "string" || raw.length > MAX_RETURN_PATH_LENGTH || !PLAIN_PATH.test(raw)) return FALLBACK_PATH;
  const layers = decodedLayers(raw);
  if (!layers || ![raw, ...layers].every(isHarmlessLayer)) return FALLBACK_PATH;
  return raw;
}

/**
 * For Auth.js: `url` is a path or an absolute URL; the answer is an absolute
 * URL on `baseUrl`'s origin, with a path safeReturnPath accepts.
 */
export function safeRedirectUrl(url: unknown, baseUrl: string): string {
  const origin = new URL(baseUrl).origin;
  if (typeof url !== "string") return `${origin}${FALLBACK_PATH}`;
  if (url.startsWith("/")) return `${origin}${safeReturnPath(url)}`;
  // An absolute URL counts only when it is exactly our origin, and says so in plain ASCII (the URL parser drops tabs and line breaks).
  if (url.length > MAX_RETURN_PATH_LENGTH || !/^[\x21-\x7e]+$/.test(url) || url.includes("\\")) return `${origin}${FALLBACK_PATH}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${origin}${FALLBACK_PATH}`;
  }
  if (parsed.origin !== origin || parsed.username || parsed.password || !url.startsWith(`${origin}/`)) return `${origin}${FALLBACK_PATH}`;
  return `${origin}${safeReturnPath(url.slice(origin.length))}`;
}
