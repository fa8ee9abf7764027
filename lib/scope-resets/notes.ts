/**
 * The internal texts a scope reset leaves behind, as the manual procedure
 * did: two ticket notes (scopes before; scopes after with what changed) and
 * an admin note on the account. Each starts with its summary (what changed,
 * what it means for keys and subusers), then the scopes grouped by catalog
 * group, several to a line, and is bounded (NOTE_MAX_CHARS): long lists stop
 * and name the result page, where they are complete (decision 025). Plain
 * text, deterministic (times in UTC, scopes sorted) and free of Markdown
 * syntax at line starts; the helpdesk gets it as escaped HTML, so it reads
 * the same there as here. The customer reply is ./customer-reply.ts. Pure.
 */
import { formatUtc } from "@/lib/accounts/cutoff";
import { ERASE_JOB_SCOPES, type EraseJobScopes } from "@/lib/scopes/catalog";
import type { KeyImpact } from "./key-impact";
import type { ScopeResetPlan } from "./plan";
import { boundedList, cleanLines, count, fitText, groupedScopeLines, inlineScopes, joinAnd, NOTE_MAX_CHARS, oneLine } from "./text-parts";

/**
 * What the reset means for the customer beyond the account's own scopes, as
 * previewed and confirmed, so every note can say it.
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
  /** Where the complete record is: the reset's result page. */
  resultUrl: string;
  /** In a family reset: the subusers the same confirmation resets after this account (the parent). */
  familyNext?: readonly { id: number; username: string }[];
  /** Carried out after a second staff member's approval (decision 040). */
  approval?: ApprovalRef;
}

/** Who asked for and who approved a reset that needed approval, and the request's page. */
export interface ApprovalRef {
  requestedBy: string;
  approvedBy: string;
  url: string;
}

function approvalLines(approval: ApprovalRef | undefined): string[] {
  if (!approval) return [];
  return [
    `Four eyes: requested by ${oneLine(approval.requestedBy)}, approved by ${oneLine(approval.approvedBy)} before the reset (approval page ${oneLine(approval.url)}).`,
  ];
}

/** How many keys, subusers or accounts a note names before it says how many more there are. */
const LIST_MAX = 10;

const account = (a: { id: number; username: string }) => `${oneLine(a.username)} (#${a.id})`;
const keyRef = (k: { keyName: string; keyId: string }) => `${oneLine(k.keyName) || "(unnamed key)"} (key ${oneLine(k.keyId)})`;

function eraseJobState(state: EraseJobScopes): string {
  return ERASE_JOB_SCOPES.map((s) => `${s} ${state.missing.includes(s) ? "MISSING" : "present"}`).join(", ");
}

function recordedBy(input: { ticket: { url: string }; actor: { name: string; email: string }; at: Date }): string {
  return `Ticket ${oneLine(input.ticket.url)} · recorded by ${oneLine(input.actor.name)} (${oneLine(input.actor.email)}) at ${formatUtc(input.at)}`;
}

function reasonLines(reason: string | null | undefined): string[] {
  const [first, ...more] = cleanLines(reason);
  return first === undefined ? [] : [`Reason: ${first.trimStart()}`, ...more];
}

function tail(resultUrl: string): string {
  return `(Shortened to fit the helpdesk: every list is complete on the result page ${oneLine(resultUrl)})`;
}

function modeLine(plan: ScopeResetPlan, catalogVersion: string): string {
  return plan.mode === "minimal"
    ? `Kind: minimal reset (the erase-job scopes added, nothing removed), catalog ${oneLine(catalogVersion)}.`
    : `Kind: default scope set of catalog ${oneLine(catalogVersion)}.`;
}

/** One key per line (names and ids side by side would be unreadable several to a line), bounded. */
function keyLines(keys: readonly { keyName: string; keyId: string }[], describe: (i: number) => string): string[] {
  return boundedList(
    keys.map((k, i) => `${keyRef(k)}${describe(i)}`),
    LIST_MAX,
    (n) => `and ${count(n, "more key")} (all on the result page).`,
  );
}

/**
 * What the reset means for keys and subusers, as a summary's lines. Shared by
 * note 2, the admin note and the family's note 2.
 */
function consequenceLines(
  impact: ResetImpact,
  actorName: string,
  {
    accountId,
    familyNext = [],
  }: {
    /** The account reset; keys of other accounts (its subusers, or every key in a family note) are named with theirs. */
    accountId: number | null;
    familyNext?: readonly { id: number; username: string }[];
  },
): string[] {
  const lines: string[] = [];
  const of = (k: { accountId: number; accountUsername: string }) =>
    k.accountId === accountId ? "" : ` of ${account({ id: k.accountId, username: k.accountUsername })}`;
  // What the reset did to keys, in the past (decision 045); what is still so, in the present.
  if (impact.losses.length === 0) lines.push("Existing API keys that lost scopes in the reset: none.");
  else {
    lines.push(
      `Existing API keys that lost scopes in the reset: ${impact.losses.length}, acknowledged by ${oneLine(actorName)} before the reset:`,
    );
    lines.push(...keyLines(impact.losses, (i) => `${of(impact.losses[i]!)} lost ${impact.losses[i]!.loses.join(", ")}`));
  }
  if (impact.keysLackingEraseJob.length === 0) lines.push("Existing API keys without the erase-job scopes: none.");
  else {
    lines.push(
      `Existing API keys without the erase-job scopes: ${impact.keysLackingEraseJob.length}. A key keeps the scopes it was created with, so the customer needs a new key:`,
    );
    lines.push(...keyLines(impact.keysLackingEraseJob, (i) => of(impact.keysLackingEraseJob[i]!)));
  }
  const next = new Set(familyNext.map((s) => s.id));
  const resetNext = impact.subusersLackingEraseJob.filter((s) => next.has(s.id));
  const still = impact.subusersLackingEraseJob.filter((s) => !next.has(s.id));
  if (resetNext.length > 0) {
    lines.push(
      `Subusers this family reset resets next (${resetNext.length}; the family's notes say how each went): ${boundedList(resetNext.map(account), LIST_MAX, (n) => `and ${n} more`).join(", ")}.`,
    );
  }
  if (still.length > 0) {
    lines.push(
      `Subusers still without the erase-job scopes (${still.length}): erase requests on-behalf-of them are refused until each is reset: ${boundedList(still.map(account), LIST_MAX, (n) => `and ${n} more (all on the result page)`).join(", ")}.`,
    );
  }
  return lines;
}

function parentLines(plan: ScopeResetPlan, impact: ResetImpact): string[] {
  if (!impact.parent) return [];
  return [
    `Subuser of ${account(impact.parent)}: its scopes are bounded by the parent's.`,
    ...(plan.withheldByParent.length > 0
      ? [
          `Not given because the parent lacks them or only a parent may hold them (${plan.withheldByParent.length}): ${plan.withheldByParent.join(", ")}.`,
        ]
      : []),
  ];
}

/**
 * The anomaly, told as what it was: the verdict's explanation is written
 * before the reset, in the present ("the account lacks …; reset its scopes"),
 * which the reset makes untrue. The notes keep its signup sentence (a rule
 * that stays true), say in the past what the account lacked, and, after the
 * reset, what it holds now (decision 045).
 */
export function anomalyLine(anomaly: string | null, plan: ScopeResetPlan, at: "before" | "after", who = ""): string[] {
  if (!anomaly) return [];
  const signup = signupSentence(anomaly);
  const lacked = plan.eraseJobBefore.missing;
  const was =
    lacked.length > 0
      ? `Yet before this reset it lacked ${joinAnd(lacked)}, which was unexpected for this signup date.`
      : "Yet before this reset it lacked erase-job scopes, which was unexpected for this signup date.";
  const now =
    at === "before"
      ? []
      : [
          plan.eraseJobAfter.both
            ? "The reset added them: it holds both now (verified)."
            : `After the reset it still lacks ${joinAnd(plan.eraseJobAfter.missing)}.`,
        ];
  return [[`ANOMALY${who}:`, signup, was, ...now].join(" ")];
}

/** The verdict's first sentence (signup date against the cutoff, a rule that stays true); the rest of it described the account before the reset. */
function signupSentence(anomaly: string): string {
  const line = oneLine(anomaly);
  const end = line.indexOf("by default.");
  return end >= 0
    ? line.slice(0, end + "by default.".length)
    : "It signed up on or after the cutoff, when these scopes are enabled by default.";
}

/** Ticket note 1: the scopes the account had before the reset (and the anomaly, when the verdict was one). */
export function renderBeforeNote(input: ResetNoteInput): string {
  const { plan, impact } = input;
  return fitText(
    [
      `Scopes BEFORE reset — ${account(input.account)}`,
      recordedBy(input),
      "",
      `Summary: ${count(plan.before.length, "scope")} before the reset. Erase-job scopes: ${eraseJobState(plan.eraseJobBefore)}.`,
      ...(impact.parent ? [`Subuser of ${account(impact.parent)}.`] : []),
      ...anomalyLine(impact.anomaly, plan, "before"),
      "",
      `Scopes before, by catalog group (${plan.before.length}):`,
      ...groupedScopeLines(plan.before),
      "",
      `Result page: ${oneLine(input.resultUrl)}`,
    ],
    NOTE_MAX_CHARS,
    tail(input.resultUrl),
  );
}

/** Ticket note 2: what changed and what it means for keys and subusers first, then every scope after the reset. */
export function renderAfterNote(input: ResetNoteInput): string {
  const { plan, impact } = input;
  const verified = plan.eraseJobAfter.both
    ? "Erase-job scopes recipients.erasejob.create and recipients.erasejob.read verified present."
    : `Erase-job scopes NOT all present: ${eraseJobState(plan.eraseJobAfter)}.`;
  return fitText(
    [
      `Scopes AFTER reset — ${account(input.account)}`,
      recordedBy(input),
      "",
      `Summary: ${plan.before.length} scopes before, ${plan.after.length} after: ${plan.added.length} added, ${plan.removed.length} removed. ${verified}`,
      modeLine(plan, input.catalogVersion),
      ...parentLines(plan, impact),
      ...anomalyLine(impact.anomaly, plan, "after"),
      ...reasonLines(input.reason),
      ...approvalLines(input.approval),
      ...consequenceLines(impact, input.actor.name, { accountId: input.account.id, familyNext: input.familyNext }),
      "",
      `Added (${plan.added.length}): ${inlineScopes(plan.added)}`,
      `Removed (${plan.removed.length}): ${inlineScopes(plan.removed)}`,
      `Platform-managed scopes kept as they were (${plan.preservedPlatformManaged.length}): ${inlineScopes(plan.preservedPlatformManaged)}`,
      "",
      `Scopes after, by catalog group (${plan.after.length}):`,
      ...groupedScopeLines(plan.after),
      "",
      `Result page: ${oneLine(input.resultUrl)}`,
    ],
    NOTE_MAX_CHARS,
    tail(input.resultUrl),
  );
}

/** The admin note on the account: who reset it, when, for which ticket, what changed and what it means. */
export function renderAdminNote(input: ResetNoteInput): string {
  const { plan, impact } = input;
  const verified = plan.eraseJobAfter.both
    ? "Erase-job scopes (recipients.erasejob.create, recipients.erasejob.read) verified present."
    : `Erase-job scopes NOT all present after the reset: ${eraseJobState(plan.eraseJobAfter)}.`;
  const paragraph =
    `Scopes reset by ${oneLine(input.actor.name)} at ${formatUtc(input.at)} for ticket ${oneLine(input.ticket.url)} ` +
    `(${plan.mode === "minimal" ? "minimal reset" : "default scope set"}: catalog ${oneLine(input.catalogVersion)}). ` +
    `${count(plan.before.length, "scope")} before, ${plan.after.length} after: ${plan.added.length} added, ${plan.removed.length} removed. ` +
    `${verified} ` +
    "Existing API keys keep their old scopes: the customer must create new API keys to use the new scopes.";
  return fitText(
    [
      paragraph,
      ...parentLines(plan, impact),
      ...anomalyLine(impact.anomaly, plan, "after"),
      ...reasonLines(input.reason),
      ...approvalLines(input.approval),
      ...consequenceLines(impact, input.actor.name, { accountId: input.account.id, familyNext: input.familyNext }),
      "",
      `Added (${plan.added.length}): ${inlineScopes(plan.added)}`,
      `Removed (${plan.removed.length}): ${inlineScopes(plan.removed)}`,
      "",
      `Result page: ${oneLine(input.resultUrl)}`,
    ],
    NOTE_MAX_CHARS,
    tail(input.resultUrl),
  );
}

// ---------------------------------------------------------------------------
// A family reset: one note pair for the parent and every subuser it reset.

export interface FamilyMemberNote {
  account: { id: number; username: string };
  role: "parent" | "subuser";
  outcome: "succeeded" | "failed" | "skipped";
  /** For a succeeded member: what its reset did. */
  plan: ScopeResetPlan | null;
  impact: ResetImpact | null;
  /** For a failed or skipped member: why. */
  failure: string | null;
}

export interface FamilyNoteInput {
  parent: { id: number; username: string };
  ticket: { ticketId: string; url: string };
  actor: { name: string; email: string };
  at: Date;
  reason?: string | null;
  catalogVersion: string;
  /** Parent first (when it was reset), then the subusers, in the order they were reset. */
  members: readonly FamilyMemberNote[];
  /** The parent's subusers that still lack the erase-job scopes once the family reset is done (not picked, failed, skipped). */
  subusersStillLacking: readonly { id: number; username: string }[];
  /** The family reset's page, where every account's record is complete. */
  resultUrl: string;
  /** Carried out after a second staff member's approval (decision 040). */
  approval?: ApprovalRef;
}

function familyTitle(kind: "BEFORE" | "AFTER", input: FamilyNoteInput): string {
  const subs = input.members.filter((m) => m.role === "subuser").length;
  const parentReset = input.members.some((m) => m.role === "parent");
  return `Scopes ${kind} family reset — ${parentReset ? `${account(input.parent)} and ` : `subusers of ${account(input.parent)}: `}${count(subs, "subuser")}`;
}

/**
 * Members' scope sets, each distinct set once with every account holding it.
 * The first (the parent's, when it was reset) is listed in full; each other
 * one as what it lacks and has beyond that one, when that is shorter than its
 * full list. So a family of 50 subusers bounded by one parent stays complete
 * and short.
 */
function collapsedSets(members: readonly FamilyMemberNote[], pick: (plan: ScopeResetPlan) => string[]): string[] {
  const sets = new Map<string, { scopes: string[]; names: string[] }>();
  for (const m of members) {
    if (!m.plan) continue;
    const scopes = pick(m.plan);
    const key = scopes.join("\n");
    const entry = sets.get(key) ?? { scopes, names: [] };
    entry.names.push(account(m.account));
    sets.set(key, entry);
  }
  const distinct = [...sets.values()];
  const reference = distinct[0];
  if (!reference) return [];
  const refLabel = reference.names.length === 1 ? reference.names[0]! : "the first set above";
  const lines: string[] = [];
  for (const { scopes, names } of distinct) {
    const who = `${boundedList(names, LIST_MAX, (n) => `and ${n} more`).join(", ")}: ${count(scopes.length, "scope")}`;
    const full = groupedScopeLines(scopes);
    if (reference.scopes !== scopes) {
      const held = new Set(scopes);
      const refHeld = new Set(reference.scopes);
      const without = reference.scopes.filter((s) => !held.has(s));
      const extra = scopes.filter((s) => !refHeld.has(s));
      const diff = `As ${refLabel}, without (${without.length}): ${inlineScopes(without)}; with (${extra.length}): ${inlineScopes(extra)}.`;
      if (diff.length < full.join("\n").length) {
        lines.push("", who, diff);
        continue;
      }
    }
    lines.push("", who, ...full);
  }
  return lines;
}

/** How many changed scopes a family note lists by name; longer changes are counted (note 1 and the lists after are complete). */
const CHANGES_LISTED_MAX = 30;

/** Each distinct change once, with every account it was made to. */
function changeLines(done: readonly FamilyMemberNote[]): string[] {
  const changes = new Map<string, string[]>();
  const describe = (scopes: readonly string[], verb: string) =>
    scopes.length <= CHANGES_LISTED_MAX ? `${verb} ${inlineScopes(scopes)}` : `${verb} ${scopes.length} scopes (see the lists)`;
  for (const m of done) {
    const text = `${describe(m.plan!.added, "added")}; ${describe(m.plan!.removed, "removed")}.`;
    changes.set(text, [...(changes.get(text) ?? []), account(m.account)]);
  }
  return [...changes].map(([text, names]) => `${boundedList(names, LIST_MAX, (n) => `and ${n} more`).join(", ")}: ${text}`);
}

function memberOutcomeLine(m: FamilyMemberNote): string {
  const who = `${m.role === "parent" ? "Parent" : "Subuser"} ${account(m.account)}`;
  if (m.outcome !== "succeeded" || !m.plan)
    return `${who}: ${m.outcome === "skipped" ? "not attempted" : "FAILED"}, nothing changed${m.failure ? ` (${oneLine(m.failure)})` : ""}.`;
  const p = m.plan;
  return `${who}: ${p.mode === "minimal" ? "minimal reset" : "reset"}, ${p.before.length} → ${p.after.length} scopes (+${p.added.length} / −${p.removed.length}), erase-job scopes ${p.eraseJobAfter.both ? "verified present" : "NOT all present"}.`;
}

/** The family's note 1: every reset account's scopes before, identical sets listed once. */
export function renderFamilyBeforeNote(input: FamilyNoteInput): string {
  const done = input.members.filter((m) => m.plan);
  return fitText(
    [
      familyTitle("BEFORE", input),
      recordedBy(input),
      "",
      `Summary: ${count(done.length, "account")} reset by one confirmation, each in its own transaction.`,
      ...boundedList(
        done.map(
          (m) =>
            `${account(m.account)}: ${count(m.plan!.before.length, "scope")}, erase-job scopes ${eraseJobState(m.plan!.eraseJobBefore)}.`,
        ),
        LIST_MAX,
        (n) => `and ${count(n, "more account")} (all on the family reset's page).`,
      ),
      ...input.members.filter((m) => !m.plan).map(memberOutcomeLine),
      "",
      "Scopes before, by catalog group:",
      ...collapsedSets(done, (p) => p.before),
      "",
      `Family reset page: ${oneLine(input.resultUrl)}`,
    ],
    NOTE_MAX_CHARS,
    tail(input.resultUrl),
  );
}

/** The family's note 2: each account's outcome and what it means for keys and subusers, then the scopes after. */
export function renderFamilyAfterNote(input: FamilyNoteInput): string {
  const done = input.members.filter((m) => m.plan && m.impact);
  // A key may lose scopes in the parent's reset and again in its subuser's: one entry per key.
  const losses = new Map<string, ResetImpact["losses"][number]>();
  for (const m of done) {
    for (const l of m.impact!.losses) {
      const seen = losses.get(l.keyId);
      losses.set(l.keyId, seen ? { ...seen, loses: [...new Set([...seen.loses, ...l.loses])].sort() } : l);
    }
  }
  const impact: ResetImpact = {
    losses: [...losses.values()],
    keysLackingEraseJob: done.flatMap((m) => m.impact!.keysLackingEraseJob),
    subusersLackingEraseJob: input.subusersStillLacking.map((s) => ({ ...s, missing: [...ERASE_JOB_SCOPES] })),
    anomaly: null,
    parent: null,
  };
  const anomalies = done.flatMap((m) => anomalyLine(m.impact!.anomaly, m.plan!, "after", ` on ${account(m.account)}`));
  return fitText(
    [
      familyTitle("AFTER", input),
      recordedBy(input),
      "",
      `Summary: ${count(done.length, "account")} of ${input.members.length} reset; catalog ${oneLine(input.catalogVersion)}.`,
      ...boundedList(
        input.members.map(memberOutcomeLine),
        LIST_MAX,
        (n) => `and ${count(n, "more account")} (all on the family reset's page).`,
      ),
      ...anomalies,
      ...reasonLines(input.reason),
      ...approvalLines(input.approval),
      ...(input.subusersStillLacking.length === 0 ? ["Every subuser of the parent now has the erase-job scopes."] : []),
      ...consequenceLines(impact, input.actor.name, { accountId: null }),
      "",
      "Changes per account:",
      ...boundedList(changeLines(done), LIST_MAX, (n) => `and ${n} more (all on the family reset's page).`),
      "",
      "Scopes after, by catalog group:",
      ...collapsedSets(done, (p) => p.after),
      "",
      `Family reset page: ${oneLine(input.resultUrl)}`,
    ],
    NOTE_MAX_CHARS,
    tail(input.resultUrl),
  );
}
