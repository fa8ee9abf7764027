"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { ChainVerificationView } from "@/lib/audit/get-chain-verification";
import { asApiError } from "@/lib/client/api-fetch";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import { formatUtcShort } from "@/components/local-time";

const inFlight = (v: ChainVerificationView | null | undefined) => v?.status === "queued" || v?.status === "running";

/**
 * "Verify chain" (leads and admins, decision 036): asks the worker to walk
 * the whole audit log, shows its progress while it runs (polling), and the
 * result in words: "intact through event #N", or the first broken event and
 * what differs. Asking is itself recorded in the log.
 */
export function VerifyChain({ initial }: { initial: ChainVerificationView | null }) {
  const queryClient = useQueryClient();
  const [id, setId] = useState<string | null>(initial?.id ?? null);
  const { data: verification } = useQuery({
    queryKey: queryKeys.chainVerification(id),
    queryFn: async ({ signal }) =>
      id
        ? (await consoleApi.getChainVerification(id, signal)).verification
        : (await consoleApi.latestChainVerification(signal)).verification,
    initialData: initial,
    // While the worker walks the log, ask every second; stop once it is done.
    refetchInterval: (query) => (inFlight(query.state.data) ? 1000 : false),
    staleTime: 1000,
  });
  const start = useMutation({
    mutationFn: () => consoleApi.startChainVerification(),
    onSuccess: ({ verification: started }) => {
      queryClient.setQueryData(queryKeys.chainVerification(started.id), started);
      setId(started.id);
    },
  });
  const busy = start.isPending || inFlight(verification);

  return (
    <section
      aria-labelledby="verify-heading"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      data-testid="verify-chain"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h2 id="verify-heading" className="text-lg font-semibold">
            Audit log integrity
          </h2>
          <p className="text-sm text-slate-700">
            Recomputes every event&apos;s hash and link, and checks the signed checkpoints. Your request is recorded in the log.
          </p>
        </div>
        <button
          type="button"
          onClick={() => start.mutate()}
          disabled={busy}
          className="rounded bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60"
        >
          {busy ? "Verifying…" : "Verify chain"}
        </button>
      </div>
      {start.error && (
        <p role="alert" className="text-sm text-red-800">
          {asApiError(start.error)?.message ?? "The verification could not be started."}
        </p>
      )}
      {verification && <VerificationState verification={verification} />}
    </section>
  );
}

function VerificationState({ verification: v }: { verification: ChainVerificationView }) {
  if (v.status === "queued" || v.status === "running") {
    const label =
      v.status === "queued"
        ? "Waiting for a worker to start the verification…"
        : `Checked ${v.checkedEvents.toLocaleString("en")} of ${v.totalEvents.toLocaleString("en")} events`;
    return (
      <div className="space-y-1" aria-live="polite">
        <div
          role="progressbar"
          aria-label="Chain verification progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={v.percent}
          aria-valuetext={label}
          className="h-3 w-full overflow-hidden rounded bg-slate-200"
        >
          <div className="h-full bg-slate-800 transition-[width]" style={{ width: `${v.percent}%` }} />
        </div>
        <p className="text-sm text-slate-700">
          {label} ({v.percent} %). Asked by {v.requestedByName}.
        </p>
      </div>
    );
  }
  if (v.status === "failed" || !v.report) {
    return (
      <p role="status" className="text-sm text-red-800">
        {v.error ?? "The verification did not finish."}
      </p>
    );
  }
  const r = v.report;
  return (
    <div
      role="status"
      data-testid="verify-result"
      data-ok={r.ok}
      className={`space-y-2 rounded border p-3 text-sm ${r.ok ? "border-emerald-300 bg-emerald-50 text-emerald-950" : "border-red-300 bg-red-50 text-red-950"}`}
    >
      <p className="font-semibold">{r.ok ? "The audit log verifies." : "The audit log does not verify."}</p>
      <p>{r.summary}</p>
      <p className="text-xs text-slate-700">
        Checked {v.finishedAt ? formatUtcShort(v.finishedAt) : ""}, asked by {v.requestedByName}.
      </p>
    </div>
  );
}
