import "server-only";
import { eraseJobVerdict } from "@/lib/accounts/cutoff";
import { approvalRules } from "@/lib/approvals/policy";
import { lastResets, singleResetRisk } from "@/lib/approvals/reset-risk";
import { suggestAccountsForRequester } from "@/lib/helpdesk/suggest-accounts";
import type { ZendeskTicket } from "@/lib/helpdesk/zendesk-schemas";
import { getConfig } from "@/lib/platform/config";
import { getDb } from "@/lib/platform/db";
import { isAppError } from "@/lib/platform/errors";
import { loadResetSubject } from "@/lib/scope-resets/load-reset-subject";
import { offersMinimalPlan } from "@/lib/scope-resets/plan";
import { previewReset } from "@/lib/scope-resets/preview";
import { ticketPath } from "@/lib/tickets/ticket-ref";
import { triageNote, type TriageNote } from "./triage-note";

export interface ComputedTriage extends TriageNote {
  accountId: number | null;
  accountUsername: string | null;
  matchedAccounts: number;
}

/**
 * What triage says about a ticket now: the requester's accounts (by e-mail,
 * parents first), the first one's verdict and reset preview as the account
 * page would show them, and the note built from them. Reads only.
 */
export async function computeTriage(ticket: ZendeskTicket): Promise<ComputedTriage> {
  const db = getDb();
  const config = getConfig();
  const matches = await suggestAccountsForRequester(db, ticket.requester.email);
  const first = matches[0];
  let account = null;
  if (first) {
    try {
      const subject = await loadResetSubject(db, first.id, { lock: false });
      const byDefault = previewReset(subject, { mode: "default", cutoff: config.signupCutoff });
      const minimal = previewReset(subject, { mode: "minimal", cutoff: config.signupCutoff });
      const minimalOffered = offersMinimalPlan(byDefault.plan, minimal.plan) && !minimal.blocked;
      // The four-eyes rules as the reset would apply them now (decision 040).
      const last = await lastResets(db, [subject.account]);
      const now = new Date();
      const approval = {
        default: approvalRules(singleResetRisk(subject, byDefault, last), config.approvals, now),
        minimal: minimalOffered ? approvalRules(singleResetRisk(subject, minimal, last), config.approvals, now) : null,
        approvers: config.approvals.approverRoles,
      };
      account = {
        id: subject.account.id,
        username: subject.account.username,
        signedUpAt: subject.account.signedUpAt,
        verdict: eraseJobVerdict({ signedUpAt: subject.account.signedUpAt, scopes: subject.account.scopes, cutoff: config.signupCutoff }),
        byDefault,
        minimal: minimalOffered ? minimal : null,
        approval,
      };
    } catch (error) {
      // Gone since the match was read: as if it had not matched.
      if (!(isAppError(error) && error.code === "not_found")) throw error;
    }
  }
  const note = triageNote({
    ticket: { ticketId: String(ticket.id), requesterName: ticket.requester.name, requesterEmail: ticket.requester.email },
    matches: matches.map((m) => ({ id: m.id, username: m.username, parentId: m.parentId })),
    account,
    ticketPageUrl: config.publicUrl ? `${config.publicUrl}${ticketPath(String(ticket.id))}` : null,
  });
  return { ...note, accountId: account?.id ?? null, accountUsername: account?.username ?? null, matchedAccounts: matches.length };
}
