import type { GetAccountOutput } from "@/lib/http/console/accounts";
import { DualTime } from "./local-time";

const TONE = {
  ok: "border-emerald-300 bg-emerald-50",
  reset_needed: "border-amber-300 bg-amber-50",
  anomaly: "border-red-300 bg-red-50",
} as const;

function Presence({ scope, present }: { scope: string; present: boolean }) {
  return (
    <li className="flex items-center justify-between gap-3 rounded border border-slate-200 bg-white px-3 py-2">
      <code className="text-sm">{scope}</code>
      <span className={`text-sm font-medium ${present ? "text-emerald-800" : "text-red-800"}`}>{present ? "present" : "missing"}</span>
    </li>
  );
}

export function VerdictCard({ detail }: { detail: GetAccountOutput }) {
  const { verdict, account, cutoff } = detail;
  return (
    <section aria-labelledby="verdict-heading" className={`rounded-lg border-2 p-4 ${TONE[verdict.status]}`} data-testid="verdict">
      <h2 id="verdict-heading" className="text-lg font-semibold">
        {verdict.headline}
      </h2>
      <p className="mt-1 text-sm text-slate-800">{verdict.explanation}</p>
      {detail.resetPlan.blocked && (
        <p className="mt-2 text-sm font-semibold text-amber-900" role="note" data-testid="verdict-parent">
          Its parent account {detail.resetPlan.blocked.parent.username} #{detail.resetPlan.blocked.parent.id} lacks them as well, and a
          subuser never holds more than its parent: reset the parent first.
        </p>
      )}
      {verdict.anomaly && (
        <p className="mt-2 text-sm font-semibold text-red-900" role="note">
          Anomaly: this account signed up on or after the cutoff, when these scopes are enabled by default, yet it lacks them.
        </p>
      )}
      <ul className="mt-3 grid gap-2 sm:grid-cols-2" aria-label="Erase-job scopes">
        <Presence scope="recipients.erasejob.read" present={verdict.scopes.read} />
        <Presence scope="recipients.erasejob.create" present={verdict.scopes.create} />
      </ul>
      <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-slate-700">Signed up</dt>
          <dd>
            <DualTime iso={account.signedUpAt} />
          </dd>
        </div>
        <div>
          <dt className="text-slate-700">Cutoff</dt>
          <dd>
            <DualTime iso={cutoff} />
          </dd>
        </div>
        <div>
          <dt className="text-slate-700">Side of the cutoff</dt>
          <dd className="font-medium" data-testid="cutoff-side">
            {verdict.side === "before" ? "Before the cutoff: not enabled by default" : "On or after the cutoff: enabled by default"}
          </dd>
        </div>
      </dl>
    </section>
  );
}
