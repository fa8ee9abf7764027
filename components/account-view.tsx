"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { describeKeyUsage } from "@/lib/api-keys/key-usage";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import type { GetAccountOutput } from "@/lib/http/console/accounts";
import { AccountHistory } from "./account-history";
import { EraseJobs } from "./erase-jobs";
import { DualTime, formatUtcShort } from "./local-time";
import { ResetScopes } from "./reset-scopes";
import { ScopeGroups } from "./scope-groups";
import { RequesterCheck } from "./ticket-details";
import { VerdictCard } from "./verdict-card";

/**
 * The account page body. The server renders it with the data it already has;
 * TanStack Query keeps it fresh from GET /api/accounts/{id}.
 */
export function AccountView({
  initialData,
  canReset,
  role,
  children,
}: {
  initialData: GetAccountOutput;
  /** From the server's permission table; the server checks again on reset. */
  canReset: boolean;
  role: string;
  children?: React.ReactNode;
}) {
  const id = initialData.account.id;
  const { data } = useQuery({
    queryKey: queryKeys.account(id),
    queryFn: ({ signal }) => consoleApi.getAccount(id, signal),
    initialData,
  });
  const { account, subusers, apiKeys } = data;

  return (
    <div className="space-y-5">
      <div>
        <p className="text-sm text-slate-600">{account.isSubuser ? "Subuser" : "Account"}</p>
        <h1 className="text-2xl font-semibold tracking-tight break-words">
          {account.username} <span className="font-normal text-slate-600">#{account.id}</span>
        </h1>
      </div>

      <section aria-labelledby="identity-heading" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="identity-heading" className="sr-only">
          Account details
        </h2>
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-4">
          <Field label="Account id">{account.id}</Field>
          <Field label="Username">{account.username}</Field>
          <Field label="E-mail">{account.email}</Field>
          <Field label="Company">{account.company ?? "—"}</Field>
          <Field label="Region">{account.region === "eu" ? "EU (api.eu.sendgrid.com)" : "Global"}</Field>
          <Field label="Signed up">
            <DualTime iso={account.signedUpAt} />
          </Field>
          <Field label={account.isSubuser ? "Parent account" : "Subusers"}>
            {account.parent ? (
              <Link className="text-blue-800 underline" href={`/accounts/${account.parent.id}`}>
                {account.parent.username} #{account.parent.id}
              </Link>
            ) : (
              `${subusers.total}`
            )}
          </Field>
          <Field label="Scopes last changed">{formatUtcShort(account.scopesUpdatedAt)}</Field>
        </dl>
      </section>

      <RequesterCheck account={{ email: account.email, parentEmail: account.parent?.email ?? null }} />

      <VerdictCard detail={data} />

      <ResetScopes detail={data} canReset={canReset} role={role} />

      <EraseJobs accountId={account.id} />

      {children}

      <ScopeGroups scopes={data.scopes} />

      <section aria-labelledby="keys-heading" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="keys-heading" className="text-lg font-semibold">
          API keys <span className="text-slate-600">({apiKeys.length})</span>
        </h2>
        <p className="text-sm text-slate-700">A key keeps the scopes it was created with. After a reset, the customer needs new keys.</p>
        {apiKeys.length === 0 ? (
          <p className="mt-2 text-sm text-slate-700">This account has no API keys.</p>
        ) : (
          // Wide tables scroll in their own box on a phone; the page itself never scrolls sideways.
          <div className="mt-3 overflow-x-auto">
            <table className="w-full min-w-[36rem] text-left text-sm">
              <thead className="border-b border-slate-200 text-slate-700">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">
                    Name
                  </th>
                  <th scope="col" className="py-1 pr-3 font-medium">
                    Created
                  </th>
                  <th scope="col" className="py-1 pr-3 font-medium">
                    Last used
                  </th>
                  <th scope="col" className="py-1 pr-3 font-medium">
                    Erase-job scopes
                  </th>
                  <th scope="col" className="py-1 font-medium">
                    Scopes
                  </th>
                </tr>
              </thead>
              <tbody>
                {apiKeys.map((key) => (
                  <tr key={key.id} className="border-b border-slate-100 align-top" data-testid="api-key-row">
                    <td className="py-2 pr-3">
                      {key.name}
                      <div className="break-all font-mono text-xs text-slate-600">{key.id}</div>
                    </td>
                    <td className="py-2 pr-3">{formatUtcShort(key.createdAt)}</td>
                    <td className="py-2 pr-3" data-testid="key-last-used">
                      {describeKeyUsage(key.lastUsedAt, new Date(data.readAt)).label}
                      {key.lastUsedAt && <span className="block text-xs text-slate-600">{formatUtcShort(key.lastUsedAt)}</span>}
                    </td>
                    <td className={`py-2 pr-3 font-medium ${key.hasEraseJobScopes ? "text-emerald-800" : "text-red-800"}`}>
                      {key.hasEraseJobScopes ? "both present" : `missing ${key.missingEraseJobScopes.join(", ")}`}
                    </td>
                    <td className="py-2">
                      <details>
                        <summary className="cursor-pointer">{key.scopes.length} scopes</summary>
                        <ul className="mt-1 max-h-48 overflow-auto font-mono text-xs">
                          {key.scopes.map((s) => (
                            <li key={s}>{s}</li>
                          ))}
                        </ul>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {!account.isSubuser && subusers.total > 0 && (
        <section aria-labelledby="subusers-heading" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="subusers-heading" className="text-lg font-semibold">
            Subusers <span className="text-slate-600">({subusers.total})</span>
          </h2>
          {subusers.total > subusers.listed.length && (
            <p className="text-sm text-slate-700">Showing the first {subusers.listed.length}, alphabetically.</p>
          )}
          <ul className="mt-2 grid gap-1 text-sm sm:grid-cols-2 lg:grid-cols-3">
            {subusers.listed.map((s) => (
              <li key={s.id}>
                <Link className="text-blue-800 underline" href={`/accounts/${s.id}`}>
                  {s.username}
                </Link>{" "}
                <span className="text-slate-600">
                  #{s.id}
                  {s.region === "eu" ? " · EU" : ""} · {s.hasEraseJobScopes ? "erase-job scopes present" : "erase-job scopes missing"}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <AccountHistory history={data.history} />
    </div>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-slate-700">{label}</dt>
      <dd className="font-medium">{children}</dd>
    </div>
  );
}
