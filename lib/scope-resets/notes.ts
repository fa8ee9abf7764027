/**
 * The texts a scope reset leaves behind, as the manual procedure did: two
 * internal ticket notes (scopes before; scopes after + diff), an admin note on
 * the account, and a reply for the agent to send. Plain text and
 * deterministic (times in UTC, scopes sorted) so the stored notes can be
 * compared with what the console showed.
 */
import { formatUtc } from "../cutoff";
import { ERASE_JOB_SCOPES, type EraseJobScopes } from "../scopes/catalog";
import type { ScopeResetPlan } from "./plan";

export interface ResetNoteInput {
  account: { id: number; username: string; email: string };
  ticket: { ticketId: string; url: string };
  actor: { name: string; email: string };
  at: Date;
  plan: ScopeResetPlan;
  reason?: string | null;
  catalogVersion: string;
}

export interface CustomerReplyInput extends ResetNoteInput {
  /** API keys that lack one or both erase-job scopes, in the order to list them. */
  keysLackingEraseJob: { name: string; id: string }[];
}

/**
 * Values from the database or a form go on one line: a newline in a username
 * or key name must not be able to forge extra lines in an audit note.
 */
function oneLine(value: string): string {
  return value.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
}

/** The reason keeps its line breaks but loses control characters, trailing spaces and blank edges. */
function cleanReason(reason: string | null | undefined): string[] {
  if (reason == null) return [];
  const lines = reason
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").trimEnd());
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  while (lines.length > 0 && lines.at(-1)!.trim() === "") lines.pop();
  return lines;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function list(scopes: readonly string[], prefix = ""): string[] {
  return scopes.length === 0 ? ["(none)"] : scopes.map((s) => `${prefix}${s}`);
}

function eraseJobState(state: EraseJobScopes): string {
  return ERASE_JOB_SCOPES.map((s) => `${s} ${state.missing.includes(s) ? "MISSING" : "present"}`).join(", ");
}

function header(title: string, input: ResetNoteInput): string[] {
  const { account, ticket, actor, at } = input;
  return [
    `${title} — ${oneLine(account.username)} (#${account.id})`,
    `Ticket: ${oneLine(ticket.url)}`,
    `Recorded by ${oneLine(actor.name)} <${oneLine(actor.email)}> at ${formatUtc(at)}`,
  ];
}

function finish(lines: readonly string[]): string {
  // Belt and braces for "no trailing spaces": every line is trimmed at the end.
  return lines.map((line) => line.trimEnd()).join("\n");
}

/** Ticket internal note 1: every scope the account had before the reset. */
export function renderBeforeNote(input: ResetNoteInput): string {
  const { before } = input.plan;
  return finish([...header("Scopes BEFORE reset", input), "", `${count(before.length, "scope")}:`, ...list(before)]);
}

/** Ticket internal note 2: every scope after the reset, the diff, and the erase-job check. */
export function renderAfterNote(input: ResetNoteInput): string {
  const { after, added, removed, preservedPlatformManaged, eraseJobAfter } = input.plan;
  return finish([
    ...header("Scopes AFTER reset", input),
    `Default scope set: catalog ${oneLine(input.catalogVersion)}`,
    "",
    `${count(after.length, "scope")}:`,
    ...list(after),
    "",
    `Changes: ${added.length} added, ${removed.length} removed`,
    "Added:",
    ...list(added, "+ "),
    "Removed:",
    ...list(removed, "- "),
    `Platform-managed scopes kept as they were: ${preservedPlatformManaged.length === 0 ? "(none)" : preservedPlatformManaged.join(", ")}`,
    "",
    `Erase-job scopes: ${eraseJobState(eraseJobAfter)}`,
  ]);
}

/** The admin note on the account: who reset it, when, for which ticket, what changed. */
export function renderAdminNote(input: ResetNoteInput): string {
  const { actor, at, ticket, plan, catalogVersion } = input;
  const { before, after, added, removed, eraseJobAfter } = plan;
  const verified = eraseJobAfter.both
    ? "Erase-job scopes (recipients.erasejob.create, recipients.erasejob.read) verified present."
    : `Erase-job scopes NOT all present after the reset: ${eraseJobState(eraseJobAfter)}.`;
  const paragraph =
    `Scopes reset by ${oneLine(actor.name)} at ${formatUtc(at)} for ticket ${oneLine(ticket.url)} ` +
    `(default scope set: catalog ${oneLine(catalogVersion)}). ` +
    `${count(before.length, "scope")} before, ${after.length} after: ${added.length} added, ${removed.length} removed. ` +
    `${verified} ` +
    "Existing API keys keep their old scopes: the customer must create new API keys to use the new scopes.";
  const reason = cleanReason(input.reason);
  const [firstReason, ...moreReason] = reason;
  return finish([
    paragraph,
    ...(firstReason === undefined ? [] : [`Reason: ${firstReason.trimStart()}`, ...moreReason]),
    "",
    "Added:",
    ...list(added, "+ "),
    "Removed:",
    ...list(removed, "- "),
  ]);
}

/**
 * The reply the agent copies into the ticket. Customer-facing, so nothing
 * internal (no catalog version, no actor, no scope diff beyond erase-job).
 */
export function renderCustomerReply(input: CustomerReplyInput): string {
  if (!input.plan.eraseJobAfter.both) {
    // Unreachable with planScopeReset; refusing beats telling the customer something untrue.
    throw new Error("The reset plan does not grant both erase-job scopes; there is no reply to send.");
  }
  const username = oneLine(input.account.username);
  const keys = input.keysLackingEraseJob.map((k) => `- ${oneLine(k.name) || "(unnamed key)"} (ID: ${oneLine(k.id)})`);
  const keyLines =
    keys.length === 0
      ? ["We found no existing API keys on the account that lack these scopes."]
      : [
          keys.length === 1
            ? "This existing API key does not have the erase-job scopes:"
            : "These existing API keys do not have the erase-job scopes:",
          ...keys,
        ];
  return finish([
    "Hello,",
    "",
    `The erase-job scopes for the Recipients' Data Erasure API (POST /v3/recipients/erasejob) are now enabled on your account ${username}.`,
    "",
    "Existing API keys keep the scopes they were created with, so they do not get the new scopes automatically.",
    ...keyLines,
    "",
    "To use the Recipients' Data Erasure API, please create a new API key with the recipients.erasejob.create scope " +
      "(add recipients.erasejob.read as well if you want to check the status of your erase jobs).",
    "To confirm, call GET /v3/scopes with the new key: the response should list recipients.erasejob.create.",
    "",
    "If you have any questions, just reply to this message.",
    "",
    "— Scopedesk Support",
  ]);
}
