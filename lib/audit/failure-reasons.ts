/**
 * Failed reset attempts in words. A failed attempt stores its reason as the
 * failure's own message, prefixed by its kind: `stale_preview: …` (an
 * AppError's code), `Verification failed: …`, `Internal error: … (request id
 * …)`, `skipped: …` (lib/scope-resets/record-failed-attempt.ts). The kind is
 * the text before the first colon; this maps it to a label for the chart and a
 * plain sentence for the lead. Pure.
 */
export const FAILURE_KINDS = [
  "stale_preview",
  "already_reset",
  "key_impact_unacknowledged",
  "parent_lacks_scopes",
  "ticket_not_found",
  "helpdesk_not_connected",
  "conflict",
  "verification_failed",
  "internal",
  "skipped",
  "other",
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

const WORDS: Record<FailureKind, { label: string; sentence: string }> = {
  stale_preview: {
    label: "Account changed since the preview",
    sentence:
      "The account's scopes (or its parent's) changed after the agent opened the preview, so nothing was applied; the agent had to review the new plan.",
  },
  already_reset: {
    label: "Already reset by someone else",
    sentence: "Someone else had already reset this account from the same preview, so this attempt changed nothing.",
  },
  key_impact_unacknowledged: {
    label: "Key losses not confirmed",
    sentence: "API keys would have lost scopes and the confirmation did not acknowledge exactly those losses, so nothing was applied.",
  },
  parent_lacks_scopes: {
    label: "Parent lacks the scopes",
    sentence:
      "This subuser's parent account lacks the erase-job scopes; a subuser cannot get scopes its parent lacks, so the parent has to be reset first.",
  },
  ticket_not_found: {
    label: "Ticket not found",
    sentence: "The ticket given does not exist in the helpdesk, so the reset was refused.",
  },
  helpdesk_not_connected: {
    label: "Helpdesk not connected",
    sentence: "The action needed the helpdesk, which was not connected.",
  },
  conflict: {
    label: "Conflict",
    sentence: "The attempt conflicted with another change made at the same time, so nothing was applied.",
  },
  verification_failed: {
    label: "Scopes did not verify",
    sentence:
      "After the change the scopes read back did not include both erase-job scopes, so the whole reset was rolled back: nothing changed.",
  },
  internal: {
    label: "Unexpected error",
    sentence: "An unexpected error stopped the reset and nothing was changed; the server's log has the cause under the request id.",
  },
  skipped: {
    label: "Skipped: the family's parent failed",
    sentence: "Not attempted: this account was part of a family reset whose parent could not be reset.",
  },
  other: {
    label: "Other",
    sentence: "The attempt failed for a reason recorded as written below.",
  },
};

const HEADS: Record<string, FailureKind> = {
  "verification failed": "verification_failed",
  "internal error": "internal",
  skipped: "skipped",
};

/** The kind of a stored failure reason, from the text before its first colon. */
export function failureKind(stored: string | null): FailureKind | null {
  if (stored === null) return null;
  const head = stored.split(":", 1)[0]!.trim().toLowerCase();
  if (HEADS[head]) return HEADS[head];
  return (FAILURE_KINDS as readonly string[]).includes(head) && head !== "other" ? (head as FailureKind) : "other";
}

export function failureLabel(kind: FailureKind): string {
  return WORDS[kind].label;
}

/** The reason in words, with what was recorded after the kind (the specific message). */
export function failureInWords(stored: string | null): { kind: FailureKind; label: string; sentence: string; recorded: string } | null {
  const kind = failureKind(stored);
  if (kind === null || stored === null) return null;
  const colon = stored.indexOf(":");
  const recorded = kind === "other" || colon === -1 ? stored : stored.slice(colon + 1).trim();
  return { kind, ...WORDS[kind], recorded };
}
