/**
 * Text that comes from Zendesk (a ticket's subject, a requester's name), made
 * storable before it reaches Postgres or a note: Postgres refuses a NUL in
 * text (22021) and a lone surrogate cannot be written as UTF-8, and Zendesk's
 * JSON may carry either as a `\u` escape. NULs are dropped, lone surrogates
 * become U+FFFD; everything else is kept as Zendesk sent it. Pure.
 */
export function storableText(text: string): string {
  return text.replace(/\u0000/g, "").toWellFormed();
}

/** storableText of an optional value, cut to `max` characters without splitting a surrogate pair. */
export function storableField(text: string | null | undefined, max: number): string | null {
  if (text === null || text === undefined) return null;
  const clean = storableText(text);
  if (clean.length <= max) return clean;
  return clean
    .slice(0, max)
    .toWellFormed()
    .replace(/\uFFFD$/, "");
}
