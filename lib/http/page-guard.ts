import type { IncomingMessage, ServerResponse } from "node:http";
import { getConfig } from "@/lib/platform/config";
import { isWellEncoded } from "./input";
import { HSTS_VALUE, sendsHsts } from "./security-headers";

/**
 * Requests Next would answer with a 500 (it throws on a path it cannot
 * percent-decode, e.g. /accounts/%zz or /accounts/%; a NUL in a path
 * segment reaches the database), or that reach its
 * internal error pages directly: answered here with a plain 400 or 404 page,
 * with the same security headers. Returns whether it answered.
 *
 * A console page's query gets the same rule: a NUL, a lone surrogate or a
 * malformed escape in it is bad input (400), not a form error on a 200 page.
 * Sign-in and Auth.js are left to judge their own callbackUrl (they drop one
 * they cannot use and send the browser home; tests/http/redirects.test.ts).
 */
const INTERNAL_PAGES = /^\/_(global-error|error|not-found)(\/|$|\?)/;
const OWN_QUERY_RULES = /^\/(signin|api\/auth)(\/|$)/;

export function answerUnservablePage(req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "/";
  const [path = "/", query = ""] = splitOnce(url, "?");
  const checked = OWN_QUERY_RULES.test(path) ? path : `${path}?${query}`;
  if (!isWellEncoded(checked) || /%00/i.test(checked)) {
    plainPage(
      res,
      400,
      "Bad request",
      "The address is not valid: it has a malformed percent-encoding, a lone surrogate or a NUL character.",
    );
    return true;
  }
  if (INTERNAL_PAGES.test(path)) {
    plainPage(res, 404, "Not found", "There is no such page.");
    return true;
  }
  return false;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

function plainPage(res: ServerResponse, status: number, title: string, text: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    // This server itself speaks plain http: HSTS=on, or an https public URL (TLS ends in front of it).
    ...(sendsHsts(getConfig(), "http:") ? { "strict-transport-security": HSTS_VALUE } : {}),
  });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · Scopedesk</title></head><body style="font-family:system-ui;margin:3rem"><h1>${title}</h1><p>${text}</p><p><a href="/">Scopedesk</a></p></body></html>`,
  );
}
