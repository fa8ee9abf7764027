"use client";

import dynamic from "next/dynamic";
import { useState } from "react";
import type { AccountDetail } from "@/lib/client/types";

// The dialog (and its Radix and mutation code) loads on first use, not with the account page.
const ConfirmResetDialog = dynamic(() => import("./confirm-reset-dialog"), { ssr: false });

/** The preview the agent confirms: frozen when the dialog opens, so a background refresh cannot change what was read. */
export interface Preview {
  detail: AccountDetail;
  idempotencyKey: string;
}

/**
 * Reset Scopes on the account page: the plan at a glance, then a confirmation
 * dialog naming the account and the ticket. The server re-checks everything
 * (role, ticket, preview fingerprint); this only helps the agent decide.
 */
export function ResetScopes({ detail, canReset, role }: { detail: AccountDetail; canReset: boolean; role: string }) {
  const { resetPlan: plan, account } = detail;
  const [preview, setPreview] = useState<Preview | null>(null);

  return (
    <section aria-labelledby="reset-heading" className="rounded-lg border border-slate-200 bg-white p-4" data-testid="reset-panel">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="reset-heading" className="text-lg font-semibold">
            Reset Scopes
          </h2>
          {plan.nothingToDo ? (
            <p className="text-sm text-slate-800">
              Both erase-job scopes are already present: <strong>nothing to do</strong>. A reset anyway needs a written reason.
            </p>
          ) : (
            <p className="text-sm text-slate-800">
              A reset sets the default scopes (admin list + erase-job scopes): it adds <strong>{plan.added.length}</strong> and removes{" "}
              <strong className={plan.removed.length > 0 ? "text-red-800" : undefined}>{plan.removed.length}</strong> scope
              {plan.removed.length === 1 ? "" : "s"}, leaving {plan.afterCount}.
            </p>
          )}
          {!canReset && <p className="mt-1 text-sm text-slate-700">Your role ({role}) cannot reset scopes.</p>}
        </div>
        {canReset && (
          <button
            type="button"
            onClick={() => setPreview({ detail, idempotencyKey: crypto.randomUUID() })}
            className={
              plan.nothingToDo
                ? "rounded border border-slate-400 bg-white px-3 py-2 text-sm font-medium text-slate-900 hover:bg-slate-50"
                : "rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-800"
            }
          >
            {plan.nothingToDo ? "Reset anyway…" : "Reset Scopes…"}
          </button>
        )}
      </div>
      {preview && (
        <ConfirmResetDialog key={preview.idempotencyKey} preview={preview} onClose={() => setPreview(null)} accountLabel={`${account.username} #${account.id}`} />
      )}
    </section>
  );
}

