"use client";

import { useQuery } from "@tanstack/react-query";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import type { EraseJobView } from "@/lib/erasure/list-erase-jobs";
import { formatUtcShort } from "./local-time";

const STATUS_STYLE: Record<EraseJobView["status"], string> = {
  queued: "bg-slate-100 text-slate-800",
  running: "bg-blue-100 text-blue-900",
  done: "bg-emerald-100 text-emerald-900",
  failed: "bg-red-100 text-red-900",
};

/**
 * The account's Recipients' Data Erasure jobs (asked for through the customer
 * API): status, how many addresses were submitted, how many records were
 * erased, and when. Never the addresses or the erased data: the console has
 * no business knowing whom a customer asked to forget. Polls while a job is open.
 */
export function EraseJobs({ accountId }: { accountId: number }) {
  const { data, error, isPending } = useQuery({
    queryKey: queryKeys.eraseJobs(accountId),
    queryFn: ({ signal }) => consoleApi.listEraseJobs(accountId, signal),
    refetchInterval: (query) => (query.state.data?.jobs.some((j) => j.status === "queued" || j.status === "running") ? 2000 : false),
  });

  return (
    <section aria-labelledby="erase-jobs-heading" className="rounded-lg border border-slate-200 bg-white p-4" data-testid="erase-jobs">
      <h2 id="erase-jobs-heading" className="text-lg font-semibold">
        Data erasure jobs {data && <span className="text-slate-600">({data.total})</span>}
      </h2>
      <p className="text-sm text-slate-700">
        Requests made with POST /v3/recipients/erasejob by this account or on its behalf. Addresses are never shown.
      </p>
      {isPending ? (
        <p className="mt-2 text-sm text-slate-700" role="status">
          Loading erasure jobs…
        </p>
      ) : error ? (
        <p className="mt-2 text-sm text-red-800" role="alert">
          Could not load erasure jobs: {error.message}
        </p>
      ) : data.jobs.length === 0 ? (
        <p className="mt-2 text-sm text-slate-700">No erasure jobs yet.</p>
      ) : (
        <div className="mt-3 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-slate-700">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Job
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Status
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  For
                </th>
                <th scope="col" className="py-1 pr-3 text-right font-medium">
                  Addresses submitted
                </th>
                <th scope="col" className="py-1 pr-3 text-right font-medium">
                  Records erased
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Requested
                </th>
                <th scope="col" className="py-1 font-medium">
                  Finished
                </th>
              </tr>
            </thead>
            <tbody>
              {data.jobs.map((job) => (
                <tr key={job.id} className="border-b border-slate-100 align-top" data-testid="erase-job-row" data-status={job.status}>
                  <td className="py-2 pr-3 font-mono text-xs">{job.id}</td>
                  <td className="py-2 pr-3">
                    <span className={`rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[job.status]}`}>{job.status}</span>
                    {job.attempts > 1 && <div className="text-xs text-slate-600">{job.attempts} attempts</div>}
                    {job.status === "failed" && job.lastError && <div className="text-xs text-red-800">{job.lastError}</div>}
                  </td>
                  <td className="py-2 pr-3">
                    {job.target.id === accountId ? "this account" : `${job.target.username} #${job.target.id}`}
                    {job.requestedBy.id !== job.target.id && (
                      <div className="text-xs text-slate-600">
                        asked by {job.requestedBy.id === accountId ? "this account" : `${job.requestedBy.username} #${job.requestedBy.id}`}
                      </div>
                    )}
                  </td>
                  <td className="py-2 pr-3 text-right tabular-nums">{job.addressCount.toLocaleString("en")}</td>
                  <td className="py-2 pr-3 text-right tabular-nums">
                    {job.status === "queued" ? "—" : job.recordsErased.toLocaleString("en")}
                  </td>
                  <td className="py-2 pr-3">{formatUtcShort(job.createdAt)}</td>
                  <td className="py-2">{job.finishedAt ? formatUtcShort(job.finishedAt) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
