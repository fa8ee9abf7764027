import type { Metadata } from "next";
import Link from "next/link";
import { cache } from "react";
import { NoteBlock } from "@/components/copy-button";
import { failureInWords } from "@/lib/audit/failure-reasons";
import type { Role } from "@/lib/auth/permissions";
import { formatUtcShort } from "@/lib/client/format-time";
import { getAccountTimeline } from "@/lib/audit/get-account-timeline";
import { accountIdParams } from "@/lib/http/schemas";
import { guardPage, orNotFound } from "@/lib/pages/guard";

type Params = { params: Promise<{ id: string }> };

/** The page and its title read the timeline once per request. */
const loadTimeline = cache((accountId: number, staffId: string, role: Role) => getAccountTimeline({ id: staffId, role }, accountId));

async function load(id: string) {
  const { staff, params: parsed } = await guardPage({
    permission: "audit:read_own",
    path: `/audit/accounts/${encodeURIComponent(id)}`,
    params: { schema: accountIdParams, values: { id } },
  });
  return { staff, timeline: await orNotFound(loadTimeline(parsed.id, staff.id, staff.role)) };
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { timeline } = await load((await params).id);
  return { title: `Audit timeline of ${timeline.account.username} (account ${timeline.account.id})` };
}

export default async function AccountTimelinePage({ params }: Params) {
  const { staff, timeline } = await load((await params).id);
  const { account, entries } = timeline;
  return (
    <div className="space-y-5">
      <div>
        <p className="text-sm">
          <Link className="text-blue-800 underline" href={`/audit?account=${account.id}`}>
            ← Audit, filtered to this account
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">
          Timeline of {account.username} <span className="text-base font-normal text-slate-700">(account {account.id})</span>
        </h1>
        <p className="text-sm text-slate-700">
          {account.email} · signed up {formatUtcShort(account.signedUpAt)} · every reset attempt and note, oldest first
          {staff.role === "agent" ? " (yours only)" : ""}.
        </p>
      </div>
      {entries.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-700">
          Nothing has been recorded for this account.
        </p>
      ) : (
        <ol className="space-y-3" aria-label="Timeline">
          {entries.map((e) => (
            <li key={`${e.type}-${e.type === "reset" ? e.reset.id : e.note.id}`} data-testid="timeline-entry" data-type={e.type}>
              {e.type === "reset" ? (
                <div
                  className={`rounded-lg border p-4 text-sm ${e.reset.outcome === "failed" ? "border-red-200 bg-red-50" : "border-emerald-200 bg-emerald-50"}`}
                >
                  <p>
                    <Link className="font-semibold text-blue-800 underline" href={`/audit/resets/${e.reset.id}`}>
                      {e.reset.outcome === "failed" ? "Failed reset attempt" : "Scope reset"}
                    </Link>{" "}
                    by {e.reset.actorName}, {formatUtcShort(e.at)}, ticket{" "}
                    <a className="text-blue-800 underline" href={e.reset.ticketUrl} target="_blank" rel="noopener noreferrer">
                      #{e.reset.ticketId}
                    </a>
                    {" · "}+{e.reset.added.length} / −{e.reset.removed.length}
                  </p>
                  {e.reset.failureReason && (
                    <p className="mt-1 text-red-900">
                      {failureInWords(e.reset.failureReason)!.label}: {failureInWords(e.reset.failureReason)!.recorded}
                    </p>
                  )}
                  {e.reset.reason && <p className="mt-1 text-slate-800">Reason: {e.reset.reason}</p>}
                </div>
              ) : (
                <NoteBlock
                  title={
                    e.type === "admin_note"
                      ? "Admin note"
                      : e.note.kind === "scopes_before"
                        ? "Ticket note: scopes before"
                        : "Ticket note: scopes after"
                  }
                  body={e.note.body}
                  meta={`${e.note.authorName}, ${formatUtcShort(e.at)}${e.note.ticketId ? ` · ticket #${e.note.ticketId}` : ""}`}
                />
              )}
            </li>
          ))}
        </ol>
      )}
      {timeline.truncated && <p className="text-sm text-slate-700">Only the first 1,000 entries of each kind are shown.</p>}
    </div>
  );
}
