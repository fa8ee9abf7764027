/**
 * The internal notes an approval request leaves in its ticket, one per step
 * (requested, approved, denied, cancelled, expired, void), so whoever reads
 * the ticket sees who asked, why it needed approval, who decided and what
 * happened; the reset's own notes follow when it is carried out. Plain text,
 * summary first, bounded like every note (decision 025), posted as escaped
 * HTML. Pure.
 */
import { formatUtc } from "@/lib/accounts/cutoff";
import { boundedList, cleanLines, count, fitText, NOTE_MAX_CHARS, oneLine } from "@/lib/scope-resets/text-parts";
import type { FactChange } from "./facts";
import type { FiredRule } from "./policy";

export const APPROVAL_NOTE_STEPS = ["requested", "approved", "denied", "cancelled", "expired", "voided"] as const;
export type ApprovalNoteStep = (typeof APPROVAL_NOTE_STEPS)[number];

export interface ApprovalNoteInput {
  step: ApprovalNoteStep;
  /** What would be reset: one account, or a parent with the subusers picked. */
  target: { kind: "reset" | "family"; account: { id: number; username: string }; subusers: number };
  requestedBy: { name: string; email: string };
  /** Who took this step (the decider, the canceller); null for expiry and drift, which Scopedesk records itself. */
  actor: { name: string; email: string } | null;
  at: Date;
  rules: readonly FiredRule[];
  reason: string;
  comment: string | null;
  /** The plan in numbers, and the keys that would lose scopes. */
  plan: {
    mode: "default" | "minimal" | "mixed";
    added: number;
    removed: number;
    keyLosses: readonly { keyId: string; keyName: string; accountUsername: string; loses: readonly string[] }[];
  };
  expiresAt: Date;
  executes: "requester" | "approver";
  /** For a void request: what changed since it was requested. */
  changes?: readonly FactChange[];
  /** The request's page in the console. */
  url: string;
}

const LIST_MAX = 10;

function what(input: ApprovalNoteInput): string {
  const { target } = input;
  const name = `${oneLine(target.account.username)} (#${target.account.id})`;
  return target.kind === "family" ? `Family reset of ${name} and ${count(target.subusers, "subuser")}` : `Reset of ${name}`;
}

function person(p: { name: string; email: string }): string {
  return `${oneLine(p.name)} (${oneLine(p.email)})`;
}

function planLines(input: ApprovalNoteInput): string[] {
  const { plan } = input;
  const kind = plan.mode === "minimal" ? "minimal reset" : plan.mode === "default" ? "default scope set" : "default and minimal";
  const lines = [`Plan (${kind}): adds ${plan.added}, removes ${plan.removed}.`];
  if (plan.keyLosses.length > 0) {
    lines.push(`Existing API keys that would lose scopes (${plan.keyLosses.length}):`);
    lines.push(
      ...boundedList(
        plan.keyLosses.map(
          (l) =>
            `${oneLine(l.keyName) || "(unnamed key)"} (key ${oneLine(l.keyId)}) of ${oneLine(l.accountUsername)} loses ${l.loses.join(", ")}`,
        ),
        LIST_MAX,
        (n) => `and ${count(n, "more key")} (all on the approval page).`,
      ),
    );
  }
  return lines;
}

function reasonLines(label: string, text: string | null): string[] {
  const [first, ...more] = cleanLines(text);
  return first === undefined ? [] : [`${label}: ${first.trimStart()}`, ...more];
}

function headline(input: ApprovalNoteInput): string {
  const actor = input.actor ? oneLine(input.actor.name) : "Scopedesk";
  switch (input.step) {
    case "requested":
      return `${what(input)} requested by ${oneLine(input.requestedBy.name)}: needs approval because ${input.rules.map((r) => lowerFirst(r.message)).join(" ")}`;
    case "approved":
      return `${what(input)} approved by ${actor}.`;
    case "denied":
      return `${what(input)} denied by ${actor}. Nothing was changed.`;
    case "cancelled":
      return `${what(input)}: the request was cancelled by ${actor}. Nothing was changed.`;
    case "expired":
      return `${what(input)}: the approval request expired at ${formatUtc(input.expiresAt)} before the reset was carried out. Nothing was changed.`;
    case "voided":
      return `${what(input)}: the approval is void because the account changed since it was requested. Nothing was changed; a new request is needed.`;
  }
}

function nextLine(input: ApprovalNoteInput): string[] {
  switch (input.step) {
    case "requested":
      return [`Waiting for a second staff member's approval until ${formatUtc(input.expiresAt)}.`];
    case "approved":
      return [
        input.executes === "approver"
          ? "Carried out at once by the approval: the reset's own notes follow."
          : `${oneLine(input.requestedBy.name)} may now carry it out, until ${formatUtc(input.expiresAt)}; the reset's own notes follow when it is.`,
      ];
    default:
      return [];
  }
}

export function renderApprovalNote(input: ApprovalNoteInput): string {
  const changes = input.changes ?? [];
  const url = oneLine(input.url);
  return fitText(
    [
      headline(input),
      `Ticket note by Scopedesk at ${formatUtc(input.at)} · requested by ${person(input.requestedBy)}${input.actor && input.step !== "requested" ? ` · ${input.step} by ${person(input.actor)}` : ""}`,
      "",
      ...(input.step === "requested"
        ? []
        : input.rules.length > 0
          ? [`Needed approval because: ${input.rules.map((r) => r.message).join(" ")}`]
          : []),
      ...reasonLines("Reason given", input.reason),
      ...reasonLines(input.step === "approved" ? "Approver's comment" : input.step === "denied" ? "Why denied" : "Comment", input.comment),
      ...planLines(input),
      ...(changes.length > 0
        ? [
            "What changed since the request:",
            ...boundedList(
              changes.map((c) => c.text),
              LIST_MAX,
              (n) => `and ${count(n, "more change")} (all on the approval page).`,
            ),
          ]
        : []),
      ...nextLine(input),
      "",
      `Approval page: ${url}`,
    ],
    NOTE_MAX_CHARS,
    `(Shortened to fit the helpdesk: the approval page has everything: ${url})`,
  );
}

function lowerFirst(text: string): string {
  // "1 existing API key …" and "The family reset …" read on after "because".
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
