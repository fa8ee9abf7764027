/**
 * The security headers of pages (proxy.ts) and of the API (the pipeline's
 * request context), decided in one place. Pure.
 */

export const HSTS_VALUE = "max-age=31536000; includeSubDomains";

/** HSTS=on always; auto when the console is served over https (its public URL, or the request itself); off never. */
export function sendsHsts(settings: { hsts: "auto" | "on" | "off"; publicUrl: string | null }, requestUrl: string): boolean {
  if (settings.hsts !== "auto") return settings.hsts === "on";
  return requestUrl.startsWith("https:") || (settings.publicUrl?.startsWith("https:") ?? false);
}

/** 128 random bits, base64: a fresh one for every page, so an injected script cannot know it. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

/**
 * Scripts run only with this request's nonce (Next puts it on its own
 * scripts) or when a nonced script loads them ('strict-dynamic'), never
 * inline or from elsewhere. Styles may be inline: React renders style
 * attributes and Radix adds style elements at run time, neither can carry a
 * nonce, and a style cannot run code. Nothing may frame a page (but the
 * Zendesk app's, which only the configured Zendesk may frame), forms post
 * only to the console (the sign-in form's server action, which answers with
 * a redirect the page follows to the identity provider), and <base> cannot
 * move relative URLs elsewhere. `next dev` needs eval for its error overlay
 * and a websocket for reloads.
 */
export function pageContentSecurityPolicy(nonce: string, options: { dev: boolean; frameAncestors?: readonly string[] }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${options.dev ? " ws:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${options.frameAncestors?.length ? options.frameAncestors.join(" ") : "'none'"}`,
  ].join("; ");
}

/** The Zendesk app's pages: the only ones another site (the configured Zendesk, decision 030) may frame. */
export const ZENDESK_APP_PAGES = /^\/zendesk-app(\/|$)/;

/** Who may frame the Zendesk app's pages: the configured Zendesk account and its allowed brand subdomains, nobody else. */
export function zendeskFrameAncestors(helpdesk: { baseUrl: string; allowedSubdomains: readonly string[] }): string[] {
  const origins = [new URL(helpdesk.baseUrl).origin, ...helpdesk.allowedSubdomains.map((s) => `https://${s}.zendesk.com`)];
  return [...new Set(origins)];
}

/** The plain pages the pipeline answers itself inside the Zendesk frame (refusals): nothing runs, only Zendesk may frame them. */
export function framedPlainPagePolicy(frameAncestors: readonly string[]): string {
  return `default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors ${frameAncestors.join(" ")}`;
}
