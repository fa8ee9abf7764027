/**
 * Four eyes for risky resets: which resets need a second staff member's
 * approval, and who may give it. Configuration decides which rules apply
 * (APPROVAL_RULES and friends, lib/platform/config.ts); these functions only
 * apply them to facts the caller read. Pure: the reset transaction, the
 * approval request and the dialog (for the family, in the browser) call the
 * same rules (docs/decisions/040-four-eyes-for-risky-resets.md).
 */
import { boundedList, count, joinAnd, oneLine } from "@/lib/scope-resets/text-parts";

export const APPROVAL_RULES = ["key_losses", "family_size", "anomaly", "recent_reset"] as const;
export type ApprovalRule = (typeof APPROVAL_RULES)[number];

export const APPROVER_ROLES = ["lead", "admin"] as const;
export type ApproverRole = (typeof APPROVER_ROLES)[number];

export interface ApprovalPolicy {
  /** The rules in force; none: no reset ever needs approval. */
  rules: readonly ApprovalRule[];
  /** A family reset of more accounts than this needs approval. */
  familyMaxAccounts: number;
  /** A reset of an account reset within this many days needs approval. */
  recentResetDays: number;
  approverRoles: readonly ApproverRole[];
  /** How long a request waits for its decision and execution. */
  ttlMs: number;
  /** Who carries out an approved reset. */
  executes: "requester" | "approver";
}

/** What a confirmation would do that the rules look at, for one account or a whole family. */
export interface ResetRisk {
  /** Keys that would lose effective scopes they hold now (a default reset's key impact; a minimal reset has none). */
  keyLosses: readonly { keyId: string; keyName: string; accountUsername: string; loses: readonly string[] }[];
  /** For a family reset: how many accounts it resets (the parent when it needs it, and each subuser picked). Null for one account. */
  familyAccounts: number | null;
  /** Accounts whose verdict is an anomaly, with the verdict's explanation. */
  anomalies: readonly { id: number; username: string; explanation: string }[];
  /** The last successful reset of each account the confirmation resets, where there is one. */
  lastResets: readonly { id: number; username: string; at: Date }[];
}

export interface FiredRule {
  rule: ApprovalRule;
  /** Why, in words, for the dialog, the queue and the ticket note. */
  message: string;
}

const LIST_MAX = 5;
const DAY_MS = 86_400_000;

/** The rules this confirmation fires, in the order of APPROVAL_RULES; empty: no approval needed. */
export function approvalRules(
  risk: ResetRisk,
  policy: Pick<ApprovalPolicy, "rules" | "familyMaxAccounts" | "recentResetDays">,
  now: Date,
): FiredRule[] {
  const fired: FiredRule[] = [];
  const on = new Set(policy.rules);
  if (on.has("key_losses") && risk.keyLosses.length > 0) {
    const n = risk.keyLosses.length;
    const named = boundedList(
      risk.keyLosses.map((l) => `${oneLine(l.keyName) || "(unnamed key)"} of ${oneLine(l.accountUsername)} loses ${l.loses.join(", ")}`),
      LIST_MAX,
      (more) => `${count(more, "more key")}`,
    );
    fired.push({
      rule: "key_losses",
      message: `${count(n, "existing API key")} would lose scopes ${n === 1 ? "it uses" : "they use"}: ${named.join("; ")}.`,
    });
  }
  if (on.has("family_size") && risk.familyAccounts !== null && risk.familyAccounts > policy.familyMaxAccounts) {
    fired.push({
      rule: "family_size",
      message: `The family reset changes ${count(risk.familyAccounts, "account")}, more than ${policy.familyMaxAccounts} at once.`,
    });
  }
  if (on.has("anomaly") && risk.anomalies.length > 0) {
    const named = boundedList(
      risk.anomalies.map((a) => `${oneLine(a.username)} (#${a.id}): ${oneLine(a.explanation)}`),
      LIST_MAX,
      (more) => `${count(more, "more account")}`,
    );
    fired.push({
      rule: "anomaly",
      message: `The verdict is an anomaly, so the account may not be what the ticket says: ${named.join("; ")}.`,
    });
  }
  if (on.has("recent_reset")) {
    const since = now.getTime() - policy.recentResetDays * DAY_MS;
    const recent = risk.lastResets.filter((r) => r.at.getTime() >= since);
    if (recent.length > 0) {
      const named = boundedList(
        recent.map((r) => `${oneLine(r.username)} (#${r.id}) on ${r.at.toISOString().slice(0, 10)} (${daysAgo(r.at, now)})`),
        LIST_MAX,
        (more) => `${count(more, "more account")}`,
      );
      fired.push({
        rule: "recent_reset",
        message: `Already reset within the last ${count(policy.recentResetDays, "day")}: ${joinAnd(named)}.`,
      });
    }
  }
  return fired;
}

function daysAgo(at: Date, now: Date): string {
  const days = Math.floor((now.getTime() - at.getTime()) / DAY_MS);
  return days <= 0 ? "today" : days === 1 ? "yesterday" : `${days} days ago`;
}

/** The one sentence that says why, for a refusal or a note: "needs approval because …". */
export function approvalReasonText(fired: readonly FiredRule[]): string {
  return fired.map((f) => f.message).join(" ");
}

/** What Scopedesk knows of the ticket's assignee when a decision is made. */
export type AssigneeKnowledge =
  /** The helpdesk answered: nobody is assigned. */
  | { state: "none" }
  /** The helpdesk answered with the assignee (its e-mail when Zendesk gave one, and the staff member with that e-mail). */
  | { state: "known"; name: string | null; email: string | null; staffId: string | null }
  /** Not connected, or it did not answer: the other rules still apply. */
  | { state: "unknown"; reason: string };

export interface ApproverCandidate {
  id: string;
  email: string;
  role: string;
}

export type ApproverRefusal = { reason: "role" | "requester" | "assignee"; message: string };

/**
 * Whether this staff member may decide this request: an approver role, never
 * the requester, never the ticket's assignee when known (the assignee works
 * the ticket with the requester; four eyes means someone outside it).
 */
export function approverRefusal(input: {
  approver: ApproverCandidate;
  requester: { id: string | null; email: string };
  assignee: AssigneeKnowledge;
  approverRoles: readonly string[];
}): ApproverRefusal | null {
  const { approver, requester, assignee } = input;
  const sameEmail = (a: string | null, b: string | null) => a !== null && b !== null && a.trim().toLowerCase() === b.trim().toLowerCase();
  if (!input.approverRoles.includes(approver.role)) {
    return {
      reason: "role",
      message: `Only ${input.approverRoles.join(" or ")} staff may decide an approval request; your role is ${approver.role}.`,
    };
  }
  if (approver.id === requester.id || sameEmail(approver.email, requester.email)) {
    return { reason: "requester", message: "You asked for this reset, so someone else must approve it (four eyes)." };
  }
  if (assignee.state === "known" && (approver.id === assignee.staffId || sameEmail(approver.email, assignee.email))) {
    return {
      reason: "assignee",
      message: "You are the ticket's assignee in the helpdesk, so someone outside the ticket must approve it (four eyes).",
    };
  }
  return null;
}
