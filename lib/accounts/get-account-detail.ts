import "server-only";
import { eraseJobVerdict } from "@/lib/accounts/cutoff";
import { eraseJobScopesOf, groupScopes } from "@/lib/scopes/catalog";
import { getConfig } from "@/lib/platform/config";
import { describeResetOptions } from "@/lib/scope-resets/describe-reset-options";
import { loadResetSubject } from "@/lib/scope-resets/load-reset-subject";
import { getDb } from "@/lib/platform/db";
import { getAccountHistory } from "@/lib/scope-resets/get-account-history";
import { derivedOf, scopeSetsById } from "@/lib/scopes/scope-set-cache";
import { approvalRules, type ResetRisk } from "@/lib/approvals/policy";

const MAX_SUBUSERS_LISTED = 200;
/** Subusers still lacking the scopes that the page names (all of them are counted): 500 made 72 KiB of JSON (decision 046). */
const MAX_LACKING_LISTED = 50;

/** Everything the account page shows, in one round of queries. */
export async function getAccountDetail(id: number) {
  const db = getDb();
  // The reset's own reader (account, parent, keys, subusers and their keys), so the preview is the one the reset checks.
  // It answers not_found for an unknown id; the history read beside it then finds nothing, harmlessly.
  const [subject, history] = await Promise.all([loadResetSubject(db, id, { lock: false }), getAccountHistory(id)]);
  const { account, parent, profile: details } = subject;
  const accountSet = (await scopeSetsById(db, [account.scopeSetId])).get(account.scopeSetId)!;
  const scopes = account.scopes;
  const verdict = eraseJobVerdict({ signedUpAt: account.signedUpAt, scopes, cutoff: getConfig().signupCutoff });
  const subusers = [...subject.subusers].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  const options = describeResetOptions(subject);
  const resetPlan = {
    ...options,
    subusersLackingEraseJob: options.subusersLackingEraseJob.slice(0, MAX_LACKING_LISTED),
    /** All the subusers lacking the erase-job scopes; subusersLackingEraseJob names the first MAX_LACKING_LISTED. */
    subusersLackingCount: options.subusersLackingEraseJob.length,
  };
  const policy = getConfig().approvals;
  const lastReset = history.resets.find((r) => r.outcome === "succeeded");
  const risk = (losses: ResetRisk["keyLosses"]): ResetRisk => ({
    keyLosses: losses,
    familyAccounts: null,
    anomalies: verdict.anomaly ? [{ id: account.id, username: account.username, explanation: verdict.explanation }] : [],
    lastResets: lastReset ? [{ id: account.id, username: account.username, at: new Date(lastReset.createdAt) }] : [],
  });
  const now = new Date();
  const live = await db.resetApproval.findFirst({
    where: { accountId: id, state: { in: ["pending", "approved"] } },
    select: { id: true, state: true, requestedByName: true, createdAt: true, expiresAt: true },
  });
  return {
    /** When this was read: what "last used 3 days ago" is counted from, the same on the server's render and the browser's. */
    readAt: now.toISOString(),
    account: {
      id: account.id,
      username: account.username,
      email: account.email,
      company: details.company,
      region: details.region,
      signedUpAt: account.signedUpAt.toISOString(),
      scopesUpdatedAt: details.scopesUpdatedAt.toISOString(),
      isSubuser: parent !== null,
      parent: parent ? { id: parent.id, username: parent.username, email: details.parentEmail ?? "" } : null,
    },
    cutoff: getConfig().signupCutoff.toISOString(),
    verdict,
    scopes: {
      total: scopes.length,
      fingerprint: account.fingerprint,
      ...derivedOf(accountSet, "grouped", () => groupScopes(scopes)),
    },
    apiKeys: subject.keys.map((k) => {
      const erase = eraseJobScopesOf(k.scopes);
      return {
        id: k.id,
        name: k.name,
        createdAt: k.createdAt!.toISOString(),
        lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
        scopes: [...k.scopes],
        hasEraseJobScopes: erase.both,
        missingEraseJobScopes: erase.missing,
      };
    }),
    /** What Reset Scopes would do now; confirmed with resetPlan.previewFingerprint (and keyImpact.fingerprint when keys lose scopes). */
    resetPlan,
    /** Four eyes (decision 040): the rules each plan fires now (the reset checks again under its lock), and the account's live request. */
    approval: {
      rules: {
        default: approvalRules(risk(resetPlan.default.keyImpact.losses), policy, now),
        minimal: resetPlan.minimal ? approvalRules(risk(resetPlan.minimal.keyImpact.losses), policy, now) : null,
      },
      live: live
        ? {
            id: live.id,
            state: live.state,
            requestedByName: live.requestedByName,
            requestedAt: live.createdAt.toISOString(),
            expiresAt: live.expiresAt.toISOString(),
          }
        : null,
    },
    /** When each key (the account's and its subusers') was last used: null, never. */
    keyLastUsed: Object.fromEntries(
      [...subject.keys, ...subject.subusers.flatMap((s) => s.keys)].map((k) => [k.id, k.lastUsedAt?.toISOString() ?? null]),
    ) as Record<string, string | null>,
    history,
    subusers: {
      total: subusers.length,
      listed: subusers.slice(0, MAX_SUBUSERS_LISTED).map((s) => ({
        id: s.id,
        username: s.username,
        region: s.region ?? "global",
        hasEraseJobScopes: eraseJobScopesOf(s.scopes).both,
      })),
    },
  };
}

export type AccountDetail = Awaited<ReturnType<typeof getAccountDetail>>;
