"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { asApiError } from "@/lib/client/api-fetch";
import { consoleApi } from "@/lib/client/console-api";
import { formatRelative } from "@/lib/client/format-time";
import { queryKeys } from "@/lib/client/query-keys";
import type { ApprovalStepErrors, GetApprovalOutput } from "@/lib/http/console/approvals";
import { HelpdeskDeliveries } from "../helpdesk-deliveries";
import { DualTime, formatUtcShort } from "../local-time";
import { KeyLossList, KeysLackingList, ScopeDiff } from "../reset-plan-parts";
import { DecisionForm } from "./decision-form";
import { ApprovalStateBadge, isLive, RulesList } from "./approval-parts";
import { StepError } from "./step-error";

/** How often an open request is read again while someone waits on it: the requester sees the decision without reloading. */
const LIVE_REFRESH_MS = 2000;

/**
 * One approval request, for its requester and the approvers: where it
 * stands (read again every two seconds while it is open), why it needed
 * approval, the plan and the key losses, the decision, the execution or what
 * made it void, and the notes it left in the ticket.
 */
export function ApprovalView({
  initialData,
  onNavigate,
}: {
  initialData: GetApprovalOutput;
  /** Where "Execute" goes when it is done (default: the console's router, to the reset's result page). */
  onNavigate?: (href: string) => void;
}) {
  const router = useRouter();
  const navigate = onNavigate ?? ((href: string) => router.push(href));
  const queryClient = useQueryClient();
  const { data } = useQuery({
    queryKey: queryKeys.approval(initialData.id),
    queryFn: ({ signal }) => consoleApi.getApproval(initialData.id, signal),
    initialData,
    refetchInterval: (query) =>
      query.state.data && (isLive(query.state.data.state) || query.state.data.execution.executing) ? LIVE_REFRESH_MS : false,
  });
  const execute = useMutation({
    mutationFn: () => consoleApi.executeApproval(data.id),
    onSuccess: (result) => {
      queryClient.setQueryData(queryKeys.approval(data.id), result.approval);
      void queryClient.invalidateQueries({ queryKey: ["account", data.account.id], refetchType: "none" });
      if (result.approval.execution.page) navigate(result.approval.execution.page);
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: queryKeys.approval(data.id) }),
  });
  const cancel = useMutation({
    mutationFn: () => consoleApi.cancelApproval(data.id, {}),
    onSuccess: (result) => queryClient.setQueryData(queryKeys.approval(data.id), result.approval),
    onError: () => void queryClient.invalidateQueries({ queryKey: queryKeys.approval(data.id) }),
  });
  const stepError = asApiError<ApprovalStepErrors>(execute.error ?? cancel.error);
  const what = data.kind === "family" ? "Family reset" : "Reset";
  const plan = data.plan;
  const usage = { lastUsed: data.keyLastUsed, now: data.readAt };

  return (
    <div className="space-y-5">
      <div>
        <p className="text-sm text-slate-600">Approval request</p>
        <h1 className="text-2xl font-semibold tracking-tight break-words">
          {what} of{" "}
          <Link href={`/accounts/${data.account.id}`} className="text-blue-800 underline">
            {data.account.username} #{data.account.id}
          </Link>
          {data.kind === "family" && ` and ${data.subusers.length} subuser${data.subusers.length === 1 ? "" : "s"}`}{" "}
          <ApprovalStateBadge state={data.state} executing={data.execution.executing !== null} />
        </h1>
      </div>

      <section
        aria-labelledby="status-heading"
        className="rounded-lg border-2 border-slate-300 bg-white p-4 text-sm"
        data-testid="approval-status"
      >
        <h2 id="status-heading" className="text-lg font-semibold">
          Where it stands
        </h2>
        {/* Announced when it changes: the requester waits on this page for the decision. */}
        <div aria-live="polite" className="mt-1 space-y-2" data-testid="approval-state" data-state={data.state}>
          <StatusText data={data} />
        </div>
        {data.state === "voided" && data.changes.length > 0 && (
          <div className="mt-2">
            <p className="font-medium">What changed since the request:</p>
            <ul className="mt-1 list-disc space-y-1 break-words pl-5" data-testid="approval-changes">
              {data.changes.map((c) => (
                <li key={c.text}>{c.text}</li>
              ))}
            </ul>
            <Link href={`/accounts/${data.account.id}`} className="mt-2 inline-block font-medium text-blue-800 underline">
              Review the account again
            </Link>
          </div>
        )}
        {data.viewer.canExecute && (
          <button
            type="button"
            onClick={() => execute.mutate()}
            disabled={execute.isPending || execute.isSuccess}
            className="mt-3 rounded bg-blue-700 px-3 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60"
          >
            {execute.isPending || execute.isSuccess ? "Carrying it out…" : "Execute the approved reset"}
          </button>
        )}
        {data.viewer.canCancel && (
          <button
            type="button"
            onClick={() => cancel.mutate()}
            disabled={cancel.isPending}
            className="ml-2 mt-3 rounded border border-slate-400 bg-white px-3 py-2 font-medium text-slate-900 hover:bg-slate-50 disabled:opacity-60"
          >
            Cancel the request
          </button>
        )}
        {stepError && (
          <div className="mt-2">
            <StepError error={stepError} />
          </div>
        )}
      </section>

      {data.viewer.canDecide && (
        <section aria-labelledby="decide-heading" className="rounded-lg border border-violet-300 bg-violet-50 p-4">
          <h2 id="decide-heading" className="text-lg font-semibold">
            Your decision
          </h2>
          <p className="text-sm text-slate-700">
            Read the plan and the key losses below; approving lets the reset go ahead exactly as planned.
          </p>
          <div className="mt-2">
            <DecisionForm approvalId={data.id} />
          </div>
        </section>
      )}
      {data.viewer.cannotDecide && (
        <p role="note" className="rounded border border-amber-300 bg-amber-50 p-3 text-sm" data-testid="cannot-decide">
          {data.viewer.cannotDecide}
        </p>
      )}

      <section aria-labelledby="request-heading" className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
        <h2 id="request-heading" className="text-lg font-semibold">
          The request
        </h2>
        <dl className="mt-2 grid gap-x-6 gap-y-2 sm:grid-cols-2 lg:grid-cols-3">
          <Item label="Asked by">
            {data.requestedBy.name} <span className="break-all font-normal text-slate-700">&lt;{data.requestedBy.email}&gt;</span>
          </Item>
          <Item label="Asked">
            <DualTime iso={data.requestedAt} />{" "}
            <span className="font-normal text-slate-700">({formatRelative(data.requestedAt, data.readAt)})</span>
          </Item>
          <Item label={isLive(data.state) ? "Expires" : "Was to expire"}>
            {formatUtcShort(data.expiresAt)}
            {isLive(data.state) && <span className="font-normal text-slate-700"> ({formatRelative(data.expiresAt, data.readAt)})</span>}
          </Item>
          <Item label="Ticket">
            <a href={data.ticket.url} target="_blank" rel="noreferrer" className="text-blue-800 underline">
              #{data.ticket.ticketId}
            </a>{" "}
            (
            <Link href={data.ticket.path} className="text-blue-800 underline">
              its record
            </Link>
            )
          </Item>
          <Item label="Ticket's assignee">
            {data.assignee.state === "known"
              ? `${data.assignee.name ?? ""} ${data.assignee.email ? `<${data.assignee.email}>` : ""}`.trim() + " (may not approve)"
              : data.assignee.state === "none"
                ? "nobody"
                : "unknown"}
          </Item>
          <Item label="Bound to">
            <code className="break-all text-xs font-normal">{data.planHash.slice(0, 16)}…</code>
          </Item>
        </dl>
        <div className="mt-3">
          <p className="font-medium">Why it needs approval</p>
          <RulesList rules={data.rules} />
        </div>
        <div className="mt-3">
          <p className="font-medium">Reason given</p>
          <p className="whitespace-pre-wrap break-words" data-testid="approval-reason">
            {data.reason}
          </p>
        </div>
      </section>

      <section
        aria-labelledby="plan-heading"
        className="rounded-lg border border-slate-200 bg-white p-4 text-sm"
        data-testid="approval-plan"
      >
        <h2 id="plan-heading" className="text-lg font-semibold">
          {data.state === "approved" || data.state === "executed" ? "The plan, as approved" : "The plan asked for"}
        </h2>
        {plan.kind === "reset" ? (
          <>
            <p>
              {plan.plan.mode === "minimal" ? "Minimal reset: adds the erase-job scopes, removes nothing." : "Default scope set"}: adds{" "}
              {plan.plan.added.length}, removes {plan.plan.removed.length}, leaving {plan.plan.afterCount}.
            </p>
            {plan.anomaly && <p className="mt-1 font-medium text-red-900">Anomaly: {plan.anomaly}</p>}
            <ScopeDiff added={plan.plan.added} removed={plan.plan.removed} compact />
            {plan.plan.keyImpact.losses.length > 0 && (
              <div className="mt-3 rounded border border-red-300 bg-red-50 p-2">
                <p className="font-semibold text-red-900">Existing keys that lose scopes (acknowledged by the requester):</p>
                <KeyLossList losses={plan.plan.keyImpact.losses} accountId={plan.account.id} usage={usage} />
              </div>
            )}
            <div className="mt-2">
              <KeysLackingList keys={plan.plan.keysLackingEraseJob} />
            </div>
          </>
        ) : (
          <>
            <p>
              {plan.parent.needsReset
                ? `Parent ${plan.account.username}: ${plan.parent.mode === "minimal" ? "minimal reset" : "default scope set"}, adds ${plan.parent.plan.added.length}, removes ${plan.parent.plan.removed.length}.`
                : `Parent ${plan.account.username} already has the erase-job scopes: not reset.`}
            </p>
            {plan.parent.needsReset && <ScopeDiff added={plan.parent.plan.added} removed={plan.parent.plan.removed} compact />}
            {plan.parent.needsReset && plan.parent.plan.keyImpact.losses.length > 0 && (
              <KeyLossList losses={plan.parent.plan.keyImpact.losses} accountId={plan.account.id} usage={usage} />
            )}
            <ul className="mt-3 space-y-1">
              {plan.subusers.map((s) => (
                <li key={s.id}>
                  Subuser <strong>{s.username}</strong> #{s.id}: adds {s.plan.added.length}, removes {s.plan.removed.length}
                  {s.plan.keyImpact.losses.length > 0 && <KeyLossList losses={s.plan.keyImpact.losses} accountId={s.id} usage={usage} />}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section aria-labelledby="approval-notes-heading" className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 text-sm">
        <h2 id="approval-notes-heading" className="text-lg font-semibold">
          Notes in the ticket
        </h2>
        {data.deliveries.length === 0 ? (
          <p>No note was sent to the helpdesk (it is not connected): the steps are in the audit log.</p>
        ) : (
          <HelpdeskDeliveries deliveries={data.deliveries} canRetry={data.viewer.isRequester || data.viewer.canDecide} />
        )}
      </section>
    </div>
  );
}

function StatusText({ data }: { data: GetApprovalOutput }) {
  const decision = data.decision;
  const comment = decision?.comment ? `: “${decision.comment}”` : ".";
  const executing = data.execution.executing;
  switch (data.state) {
    case "pending":
      return (
        <p>
          Waiting for a lead&apos;s approval (asked {formatRelative(data.requestedAt, data.readAt)}); it expires{" "}
          {formatRelative(data.expiresAt, data.readAt)}. Nothing changes on the account until it is approved and carried out.
        </p>
      );
    case "approved":
      return (
        <>
          <p className="font-semibold text-emerald-900">
            Approved by {decision?.by} at {decision && formatUtcShort(decision.at)}
            {comment}
          </p>
          <p>
            {executing
              ? `${executing.by ?? "Someone"} is carrying it out now.`
              : data.execution.by === "approver"
                ? "It is carried out by the approval; if that did not happen, the approver or the requester may execute it."
                : data.viewer.isRequester
                  ? `Execute it now: the reset runs exactly as approved, until ${formatUtcShort(data.expiresAt)}.`
                  : `${data.requestedBy.name} carries it out next.`}
          </p>
          {data.execution.lastError && <p className="text-red-900">The last attempt to carry it out failed: {data.execution.lastError}</p>}
        </>
      );
    case "executed":
      return (
        <>
          <p className="font-semibold text-emerald-900">
            Approved by {decision?.by}
            {comment} Carried out by {data.execution.executedBy} at {data.execution.executedAt && formatUtcShort(data.execution.executedAt)}
            .
          </p>
          {data.execution.page && (
            <Link href={data.execution.page} className="font-medium text-blue-800 underline">
              Open the reset&apos;s result
            </Link>
          )}
        </>
      );
    case "denied":
      return (
        <p className="font-semibold text-red-900">
          Denied by {decision?.by} at {decision && formatUtcShort(decision.at)}
          {comment} Nothing was changed.
        </p>
      );
    case "cancelled":
      return <p>Cancelled by {data.ended?.by ?? data.requestedBy.name}. Nothing was changed.</p>;
    case "expired":
      return (
        <p>Expired at {formatUtcShort(data.expiresAt)} before it was carried out. Nothing was changed; ask again if it is still needed.</p>
      );
    case "voided":
      return (
        <p className="font-semibold text-red-900">
          Void: the account changed since it was requested, so nothing was changed. A new request is needed.
        </p>
      );
  }
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-slate-700">{label}</dt>
      <dd className="font-medium">{children}</dd>
    </div>
  );
}
