/**
 * What triage on arrival writes into a new ticket (decision 031): one internal
 * note saying which account the requester's e-mail belongs to, the
 * signup-cutoff verdict, what Reset Scopes would add and remove, which
 * existing keys would lose what (and the minimal reset that takes nothing),
 * the keys and subusers that would still lack the erase-job scopes, and where
 * to act. Built from the same pure rules the console shows (the verdict of
 * lib/accounts/cutoff.ts, the preview of lib/scope-resets/preview.ts), so the
 * note and the sidebar say the same thing. Bounded: every list is cut with a
 * count of what was left out, and the whole text stays under NOTE_MAX_CHARS.
 * Pure.
 */
import { formatUtc, type EraseJobVerdict } from "@/lib/accounts/cutoff";
import { approvalReasonText, type FiredRule } from "@/lib/approvals/policy";
import type { ResetPreview } from "@/lib/scope-resets/preview";

export type TriageState = "needs_reset" | "nothing_to_do" | "no_account" | "anomaly";

export const NOTE_MAX_CHARS = 6000;
const MAX_SCOPES = 15;
const MAX_KEYS = 10;
const MAX_LOSES = 8;
const MAX_ACCOUNTS = 10;
const MAX_NAME = 100;

export interface TriageInput {
  ticket: { ticketId: string; requesterName: string | null; requesterEmail: string | null };
  /** Accounts and subusers with the requester's e-mail, parents first (lib/helpdesk/suggest-accounts.ts). */
  matches: readonly { id: number; username: string; parentId: number | null }[];
  /** The first match, as the reset would see it now. */
  account: {
    id: number;
    username: string;
    signedUpAt: Date;
    verdict: EraseJobVerdict;
    byDefault: ResetPreview;
    /** The minimal reset, when it is offered (the default one removes scopes). */
    minimal: ResetPreview | null;
    /**
     * The four-eyes rules (lib/approvals/policy.ts) a reset would fire now: for the default reset, and for the
     * minimal one when offered. Absent or empty: no approval needed.
     */
    approval?: { default: readonly FiredRule[]; minimal: readonly FiredRule[] | null; approvers: readonly string[] };
  } | null;
  /** The console's ticket page, when Scopedesk knows its public URL. */
  ticketPageUrl: string | null;
}

export interface TriageNote {
  state: TriageState;
  /** One line for the console's list. */
  summary: string;
  body: string;
  marker: string;
}

/** The tag triage adds to the ticket with its note (TRIAGE_TAGS): its verdict, where there is one to act on. */
export const TRIAGE_TAGS = { needs_reset: "scopedesk-ready", nothing_to_do: "scopedesk-nothing-to-do" } as const;

export function triageTag(state: TriageState): string | null {
  return state === "needs_reset" || state === "nothing_to_do" ? TRIAGE_TAGS[state] : null;
}

/**
 * The ticket's tags after the note's update: its own, without a triage tag of another verdict, with this one's.
 * Zendesk's update sets the whole list (`tags`), guarded by `safe_update` against a change in between.
 */
export function tagsWithTriage(current: readonly string[], state: TriageState): string[] | null {
  const tag = triageTag(state);
  if (tag === null) return null;
  const others = current.filter((t) => !(Object.values(TRIAGE_TAGS) as string[]).includes(t));
  return [...others, tag];
}

/** One line, unique per ticket, at the end of the note: searched for after an ambiguous failure (decision 016's recipe). */
export function triageMarker(ticketId: string): string {
  return `[Scopedesk triage of ticket #${ticketId}]`;
}

export function triageNote(input: TriageInput): TriageNote {
  const marker = triageMarker(input.ticket.ticketId);
  const requester = input.ticket.requesterEmail
    ? `${input.ticket.requesterName ? `${name(input.ticket.requesterName)} ` : ""}<${name(input.ticket.requesterEmail)}>`
    : "(no e-mail address)";
  const head = ["Scopedesk triage (automatic and read-only: nothing was changed)", "", `Requester: ${requester}`];
  const open = input.ticketPageUrl
    ? `Open it in Scopedesk: ${input.ticketPageUrl} (or in the Scopedesk app in this ticket's sidebar).`
    : "Open it in the Scopedesk app in this ticket's sidebar.";

  if (!input.account) {
    const why = input.ticket.requesterEmail
      ? "No account or subuser has the requester's e-mail address."
      : "The requester has no e-mail address to match an account by.";
    return finish({
      state: "no_account",
      summary: why,
      marker,
      lines: [...head, "", why, "Look the account up in Scopedesk by its id, username or e-mail before resetting anything.", "", open],
    });
  }

  const { account } = input;
  const { verdict, byDefault, minimal } = account;
  const state: TriageState = verdict.status === "ok" ? "nothing_to_do" : verdict.status === "anomaly" ? "anomaly" : "needs_reset";
  const lines = [
    ...head,
    `Account: ${name(account.username)} (#${account.id}), signed up ${formatUtc(account.signedUpAt)}`,
    ...(input.matches.length > 1 ? [`Also with this e-mail: ${accountList(input.matches.filter((m) => m.id !== account.id))}`] : []),
    `Verdict: ${verdict.headline}`,
    verdict.explanation,
    "",
  ];

  const { plan, impact, blocked } = byDefault;
  if (blocked) {
    lines.push(`A reset of this subuser is blocked: ${blocked.message}`);
  } else if (state !== "nothing_to_do") {
    lines.push(
      `What Reset Scopes would do (default scope set): add ${count(plan.added.length, "scope")}, remove ${count(plan.removed.length, "scope")}.`,
      `  Adds: ${scopeList(plan.added)}`,
      `  Removes: ${scopeList(plan.removed)}`,
    );
    if (impact.losses.length === 0) {
      lines.push("No existing API key would lose a scope it uses.");
    } else {
      lines.push(`Existing API keys that would lose scopes they use (${impact.losses.length}):`);
      for (const loss of impact.losses.slice(0, MAX_KEYS)) {
        const owner = loss.accountId === account.id ? "" : `, subuser ${name(loss.accountUsername)} #${loss.accountId}`;
        lines.push(`  - ${keyName(loss.keyName)} (key ${name(loss.keyId)}${owner}): ${cut(loss.loses, MAX_LOSES).join(", ")}`);
      }
      if (impact.losses.length > MAX_KEYS) lines.push(`  - and ${impact.losses.length - MAX_KEYS} more`);
      if (minimal && minimal.impact.losses.length === 0) {
        lines.push(`A minimal reset (add the erase-job scopes, remove nothing) takes nothing from any key.`);
      }
    }
    lines.push(...approvalLines(account.approval, minimal !== null));
  } else {
    lines.push("Both erase-job scopes are present: no reset is needed.");
  }
  const lacking = impact.keysLackingEraseJob;
  if (lacking.length > 0) {
    const when = state === "nothing_to_do" ? "lack" : "would still lack";
    lines.push(
      `Existing API keys that ${when} the erase-job scopes (${lacking.length}; a key keeps the scopes it was created with, so the customer needs a new key): ${cut(
        lacking.map((k) => keyName(k.keyName)),
        MAX_KEYS,
      ).join(", ")}`,
    );
  }
  const subusers = impact.subusersLackingEraseJob;
  if (subusers.length > 0) {
    lines.push(`Subusers that would still lack the erase-job scopes (${subusers.length}): ${accountList(subusers)}`);
  }
  lines.push("", open);
  return finish({ state, summary: blocked ? `${verdict.headline} (the parent must be reset first)` : verdict.headline, marker, lines });
}

/** Whether a reset would need a second person's approval first (four eyes, decision 040), and why. */
function approvalLines(approval: NonNullable<TriageInput["account"]>["approval"], minimalOffered: boolean): string[] {
  if (!approval || approval.default.length === 0) return [];
  const who = approval.approvers.length > 0 ? approval.approvers.join(" or ") : "lead";
  const lines = [
    `A reset of this account needs a ${who}'s approval first (four eyes): ${cutText(approvalReasonText(approval.default), 600)}`,
  ];
  if (minimalOffered && approval.minimal !== null) {
    lines.push(
      approval.minimal.length === 0
        ? "The minimal reset needs no approval."
        : `The minimal reset needs approval too: ${cutText(approvalReasonText(approval.minimal), 400)}`,
    );
  }
  return lines;
}

function cutText(text: string, max: number): string {
  const line = text.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function finish(input: { state: TriageState; summary: string; marker: string; lines: string[] }): TriageNote {
  let text = input.lines.map((line) => line.trimEnd()).join("\n");
  const room = NOTE_MAX_CHARS - input.marker.length - 2;
  if (text.length > room) text = `${text.slice(0, room - 40).trimEnd()}\n… (cut: see Scopedesk for the rest)`;
  return { state: input.state, summary: input.summary, marker: input.marker, body: `${text}\n\n${input.marker}` };
}

/** Values from the database or Zendesk on one line, and not too long: they cannot forge extra lines in a note. */
function name(value: string): string {
  const line = value.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return line.length > MAX_NAME ? `${line.slice(0, MAX_NAME - 1)}…` : line;
}

function keyName(value: string): string {
  return name(value) ? `"${name(value)}"` : "(unnamed key)";
}

function cut(items: readonly string[], max: number): string[] {
  return items.length > max ? [...items.slice(0, max), `and ${items.length - max} more`] : [...items];
}

function scopeList(scopes: readonly string[]): string {
  return scopes.length === 0 ? "none" : cut(scopes, MAX_SCOPES).join(", ");
}

function accountList(accounts: readonly { id: number; username: string }[]): string {
  return cut(
    accounts.map((a) => `${name(a.username)} (#${a.id})`),
    MAX_ACCOUNTS,
  ).join(", ");
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
