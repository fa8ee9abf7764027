import Link from "next/link";
import type { GetFamilyResetOutput } from "@/lib/http/console/scope-resets";
import { DualTime } from "./local-time";

/** The one summary of a family reset: each account's outcome, failures and skips included, with links to each reset. */
export function FamilyResetSummary({ family }: { family: GetFamilyResetOutput }) {
  const failed = family.attempts.filter((a) => a.outcome === "failed").length;
  return (
    <div className="space-y-5">
      <div>
        <p className="text-sm text-slate-600">Family reset</p>
        <h1 className="text-2xl font-semibold tracking-tight">
          {family.attempts.length - failed} of {family.attempts.length} accounts reset
        </h1>
        <p className="text-sm text-slate-700">
          By {family.actorName} for ticket{" "}
          <Link href={family.ticket.path} className="text-blue-800 underline">
            #{family.ticket.ticketId}
          </Link>
          {failed > 0 ? `; ${failed} failed or not attempted, the others are done.` : "."}
        </p>
      </div>
      <table className="w-full rounded-lg border border-slate-200 bg-white text-left text-sm" data-testid="family-summary">
        <thead className="border-b border-slate-200 text-slate-700">
          <tr>
            <th scope="col" className="p-2 font-medium">
              Account
            </th>
            <th scope="col" className="p-2 font-medium">
              Outcome
            </th>
            <th scope="col" className="p-2 font-medium">
              Changes
            </th>
            <th scope="col" className="p-2 font-medium">
              When
            </th>
          </tr>
        </thead>
        <tbody>
          {family.attempts.map((a) => (
            <tr key={a.id} className="border-b border-slate-100 align-top" data-testid="family-member">
              <td className="p-2">
                <Link href={`/accounts/${a.account.id}`} className="text-blue-800 underline">
                  {a.account.username}
                </Link>{" "}
                <span className="text-slate-600">
                  #{a.account.id} · {a.account.role}
                </span>
              </td>
              <td className="p-2">
                {a.outcome === "succeeded" ? (
                  <Link href={`/scope-resets/${a.id}`} className="font-medium text-emerald-800 underline">
                    reset{a.mode === "minimal" ? " (minimal)" : ""}
                  </Link>
                ) : (
                  <span className="font-medium text-red-800">failed: {a.failureReason}</span>
                )}
              </td>
              <td className="p-2">{a.outcome === "succeeded" ? `+${a.addedCount} / −${a.removedCount}` : "nothing changed"}</td>
              <td className="p-2">
                <DualTime iso={a.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
