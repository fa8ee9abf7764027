/**
 * The texts a scope reset leaves behind, as the manual procedure did: two
 * internal ticket notes (scopes before; scopes after + diff), an admin note on
 * the account, and a reply for the agent to send. Plain text and
 * deterministic (times in UTC, scopes sorted) so the stored notes can be
 * compared with what the console showed.
 */
import { formatUtc } from "@/lib/accounts/cutoff";
import { ERASE_JOB_SCOPES, type EraseJobScopes } from "@/lib/scopes/catalog";
import type { KeyImpact } from "./key-impact";
import type { ScopeResetPlan } from "./plan";

/**
 * What the reset means for the customer beyond the account's own scopes, as
 * previewed and confirmed, so every note and the reply can say it.
 */
export interface ResetImpact extends KeyImpact {
  /** The verdict's explanation when it was an anomaly (signed up on or after the cutoff, yet lacking the scopes). */
  anomaly: string | null;
  /** The parent account, when a subuser was reset. */
  parent: { id: number; username: string } | null;
}

export const NO_IMPACT: ResetImpact = { losses: [], keysLackingEraseJob: [], subusersLackingEraseJob: [], anomaly: null, parent: null };

export interface ResetNoteInput {
  account: { id: number; username: string; email: string };
  ticket: { ticketId: string; url: string };
  actor: { name: string; email: string };
  at: Date;
  plan: ScopeResetPlan;
  reason?: string | null;
  catalogVersion: string;
  impact: ResetImpact;
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

function keyLabel(name: string): string {
  return oneLine(name) || "(unnamed key)";
}

/** The lines every internal record (ticket note 2, admin note) carries about what else the reset means. */
function impactLines(input: ResetNoteInput): string[] {
  const { impact, plan, actor } = input;
  const reason = cleanReason(input.reason);
  const [firstReason, ...moreReason] = reason;
  const kind =
    plan.mode === "minimal" ? "Reset kind: minimal (the erase-job scopes added, nothing removed)" : "Reset kind: default scope set";
  const parentLines = impact.parent
    ? [
        `Subuser of ${oneLine(impact.parent.username)} (#${impact.parent.id}): its scopes are bounded by the parent's.`,
        ...(plan.withheldByParent.length > 0
          ? [
              `Not given because the parent lacks them or only a parent may hold them (${plan.withheldByParent.length}): ${plan.withheldByParent.join(", ")}`,
            ]
          : []),
      ]
    : [];
  const losses = impact.losses.map(
    (l) => `- ${keyLabel(l.keyName)} (key ${oneLine(l.keyId)}, ${oneLine(l.accountUsername)} #${l.accountId}): ${l.loses.join(", ")}`,
  );
  const lacking = impact.keysLackingEraseJob.map(
    (k) => `- ${keyLabel(k.keyName)} (key ${oneLine(k.keyId)}): lacks ${k.missing.join(", ")}`,
  );
  const subusers = impact.subusersLackingEraseJob.map((u) => `- ${oneLine(u.username)} (#${u.id}): lacks ${u.missing.join(", ")}`);
  return [
    kind,
    ...parentLines,
    ...(impact.anomaly ? [`ANOMALY: ${oneLine(impact.anomaly)}`] : []),
    ...(firstReason === undefined ? [] : [`Reason: ${firstReason.trimStart()}`, ...moreReason]),
    "",
    losses.length === 0
      ? "Existing API keys that lose scopes: none"
      : `Existing API keys that lose scopes (${losses.length}, acknowledged by ${oneLine(actor.name)} before the reset):`,
    ...losses,
    lacking.length === 0
      ? "Existing API keys without the erase-job scopes: none"
      : `Existing API keys without the erase-job scopes (${lacking.length}; the customer must create a new key):`,
    ...lacking,
    ...(subusers.length === 0
      ? []
      : [
          `Subusers still without the erase-job scopes (${subusers.length}): erase requests on-behalf-of them are refused until each subuser's own scopes are reset.`,
          ...subusers,
        ]),
  ];
}

/** Ticket internal note 1: every scope the account had before the reset (and the anomaly, when the verdict was one). */
export function renderBeforeNote(input: ResetNoteInput): string {
  const { before } = input.plan;
  return finish([
    ...header("Scopes BEFORE reset", input),
    ...(input.impact.anomaly ? [`ANOMALY: ${oneLine(input.impact.anomaly)}`] : []),
    "",
    `${count(before.length, "scope")}:`,
    ...list(before),
  ]);
}

/** Ticket internal note 2: every scope after the reset, the diff, the erase-job check and what it means for keys and subusers. */
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
    ...impactLines(input),
  ]);
}

/** The admin note on the account: who reset it, when, for which ticket, what changed and what it means. */
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
  return finish([paragraph, ...impactLines(input), "", "Added:", ...list(added, "+ "), "Removed:", ...list(removed, "- ")]);
}

/**
 * The reply the agent sends to the customer. Customer-facing, so nothing
 * internal (no catalog version, no actor, no reason, no anomaly), but every
 * consequence the customer must know: which keys to replace, which keys lost
 * what, which subusers still cannot be acted for.
 */
export function renderCustomerReply(input: ResetNoteInput): string {
  if (!input.plan.eraseJobAfter.both) {
    // Unreachable for a verified reset; refusing beats telling the customer something untrue.
    throw new Error("The reset plan does not grant both erase-job scopes; there is no reply to send.");
  }
  const { impact } = input;
  const username = oneLine(input.account.username);
  const where = impact.parent ? `your subuser ${username}` : `your account ${username}`;
  const keys = impact.keysLackingEraseJob.map((k) => `- ${keyLabel(k.keyName)} (ID: ${oneLine(k.keyId)})`);
  const keyLines =
    keys.length === 0
      ? ["We found no existing API keys on the account that lack these scopes."]
      : [
          keys.length === 1
            ? "This existing API key does not have the erase-job scopes:"
            : "These existing API keys do not have the erase-job scopes:",
          ...keys,
        ];
  const lossLines =
    impact.losses.length === 0
      ? []
      : [
          "",
          "Please note: the reset set the account to our current default scopes, and an API key can never do more than its account. " +
            (impact.losses.length === 1
              ? "This existing API key can therefore no longer use the scopes listed after it:"
              : "These existing API keys can therefore no longer use the scopes listed after each:"),
          ...impact.losses.map(
            (l) =>
              `- ${keyLabel(l.keyName)} (ID: ${oneLine(l.keyId)}${l.accountId === input.account.id ? "" : `, subuser ${oneLine(l.accountUsername)}`}): ${l.loses.join(", ")}`,
          ),
          "If you still need any of them, reply to this message and we will look at it with you.",
        ];
  const subuserLines =
    impact.subusersLackingEraseJob.length === 0
      ? []
      : [
          "",
          "These subusers of your account do not have the erase-job scopes yet, so erase requests made on behalf of them " +
            "(with the on-behalf-of header) will be refused until their scopes are enabled too; reply if you want us to do that:",
          ...impact.subusersLackingEraseJob.map((u) => `- ${oneLine(u.username)}`),
        ];
  return finish([
    "Hello,",
    "",
    `The erase-job scopes for the Recipients' Data Erasure API (POST /v3/recipients/erasejob) are now enabled on ${where}.`,
    "",
    "Existing API keys keep the scopes they were created with, so they do not get the new scopes automatically.",
    ...keyLines,
    ...lossLines,
    ...subuserLines,
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
