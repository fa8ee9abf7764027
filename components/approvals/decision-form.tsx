"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { APPROVAL_COMMENT_MAX_LENGTH } from "@/lib/approvals/request-schema";
import { asApiError } from "@/lib/client/api-fetch";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import type { ApprovalStepErrors, ApprovalStepOutput } from "@/lib/http/console/approvals";
import { StepError } from "./step-error";

/**
 * Approve or deny one request, with a comment (required to deny). The
 * server decides under the request's lock; a decision that lost a race says
 * who decided first. Used on the queue and on the request's page.
 */
export function DecisionForm({ approvalId, onDecided }: { approvalId: string; onDecided?: (result: ApprovalStepOutput) => void }) {
  const queryClient = useQueryClient();
  const id = useId();
  const [comment, setComment] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const decide = useMutation({
    mutationFn: (decision: "approve" | "deny") =>
      decision === "approve" ? consoleApi.approve(approvalId, comment.trim() ? { comment } : {}) : consoleApi.deny(approvalId, { comment }),
    onSuccess: (result) => {
      queryClient.setQueryData(queryKeys.approval(approvalId), result.approval);
      void queryClient.invalidateQueries({ queryKey: ["approvals", "list"] });
      onDecided?.(result);
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: queryKeys.approval(approvalId) }),
  });
  const error = asApiError<ApprovalStepErrors>(decide.error);

  function submit(decision: "approve" | "deny") {
    if (decision === "deny" && comment.trim() === "") {
      setFormError("Say why you deny it: the requester and the ticket read it.");
      return;
    }
    setFormError(null);
    decide.mutate(decision);
  }

  return (
    <form
      className="space-y-2 text-sm"
      onSubmit={(event) => {
        event.preventDefault();
        submit("approve");
      }}
      data-testid="decision-form"
    >
      <label htmlFor={`${id}-comment`} className="block font-medium">
        Comment (required to deny)
      </label>
      <textarea
        id={`${id}-comment`}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        maxLength={APPROVAL_COMMENT_MAX_LENGTH}
        rows={2}
        aria-invalid={formError ? true : undefined}
        aria-describedby={formError ? `${id}-error` : undefined}
        className="w-full rounded border border-slate-300 px-2 py-1"
      />
      {formError && (
        <p id={`${id}-error`} role="alert" className="text-red-800">
          {formError}
        </p>
      )}
      {error && <StepError error={error} />}
      <div className="flex flex-wrap gap-2">
        <button
          type="submit"
          disabled={decide.isPending}
          className="rounded bg-emerald-700 px-3 py-2 font-medium text-white hover:bg-emerald-800 disabled:opacity-60"
        >
          {decide.isPending && decide.variables === "approve" ? "Approving…" : "Approve"}
        </button>
        <button
          type="button"
          disabled={decide.isPending}
          onClick={() => submit("deny")}
          className="rounded border border-red-700 bg-white px-3 py-2 font-medium text-red-800 hover:bg-red-50 disabled:opacity-60"
        >
          {decide.isPending && decide.variables === "deny" ? "Denying…" : "Deny"}
        </button>
      </div>
    </form>
  );
}
