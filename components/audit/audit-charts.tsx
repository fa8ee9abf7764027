"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { AuditCharts as Charts } from "@/lib/audit/get-audit-charts";

const SUCCEEDED = "#047857";
const FAILED = "#b91c1c";

const REASON = "#9a3412";

/** Resets per day by outcome, per agent, failures by reason, and the erase-job backlog. Each chart has a text summary for screen readers. */
export function AuditCharts({ charts }: { charts: Charts }) {
  const total = charts.perDay.reduce((n, d) => n + d.succeeded + d.failed, 0);
  const failed = charts.perDay.reduce((n, d) => n + d.failed, 0);
  return (
    <section aria-labelledby="charts-heading" className="grid gap-4 lg:grid-cols-3">
      <h2 id="charts-heading" className="sr-only">
        Charts
      </h2>
      <figure className="rounded-lg border border-slate-200 bg-white p-4 lg:col-span-2">
        <figcaption className="text-sm font-semibold">
          Resets per day{" "}
          <span className="font-normal text-slate-700">
            ({total.toLocaleString("en")} attempts, {failed.toLocaleString("en")} failed)
          </span>
        </figcaption>
        <div className="h-56" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart accessibilityLayer={false} data={charts.perDay} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" fontSize={11} />
              <YAxis allowDecimals={false} fontSize={11} width={48} />
              <Tooltip />
              <Legend />
              <Bar dataKey="succeeded" stackId="o" fill={SUCCEEDED} name="Succeeded" isAnimationActive={false} />
              <Bar dataKey="failed" stackId="o" fill={FAILED} name="Failed" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </figure>
      <figure className="rounded-lg border border-slate-200 bg-white p-4">
        <figcaption className="text-sm font-semibold">Erase-job backlog</figcaption>
        <p className="mt-1 text-xs text-slate-700">
          Accounts still lacking the erase-job scopes, by signup date (cutoff {charts.backlog.cutoff.slice(0, 10)}).
        </p>
        <dl className="mt-3 grid grid-cols-2 gap-3" data-testid="backlog">
          <div className="rounded bg-amber-50 p-3">
            <dt className="text-xs text-slate-700">Signed up before the cutoff</dt>
            <dd className="text-2xl font-semibold tabular-nums">{charts.backlog.beforeCutoff.toLocaleString("en")}</dd>
          </div>
          <div className="rounded bg-red-50 p-3">
            <dt className="text-xs text-slate-700">On or after it (anomalies)</dt>
            <dd className="text-2xl font-semibold tabular-nums">{charts.backlog.afterCutoff.toLocaleString("en")}</dd>
          </div>
        </dl>
      </figure>
      <figure className="rounded-lg border border-slate-200 bg-white p-4 lg:col-span-3">
        <figcaption className="text-sm font-semibold">Resets per agent</figcaption>
        <div className="h-56" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart accessibilityLayer={false} data={charts.perAgent} layout="vertical" margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" horizontal={false} />
              <XAxis type="number" allowDecimals={false} fontSize={11} />
              <YAxis type="category" dataKey="name" width={140} fontSize={11} />
              <Tooltip />
              <Legend />
              <Bar dataKey="succeeded" stackId="o" fill={SUCCEEDED} name="Succeeded" isAnimationActive={false} />
              <Bar dataKey="failed" stackId="o" fill={FAILED} name="Failed" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
        <ul className="sr-only">
          {charts.perAgent.map((a) => (
            <li key={a.actorId ?? a.name}>
              {a.name}: {a.succeeded} succeeded, {a.failed} failed
            </li>
          ))}
        </ul>
      </figure>
      <figure className="rounded-lg border border-slate-200 bg-white p-4 lg:col-span-3" data-testid="failure-reasons">
        <figcaption className="text-sm font-semibold">
          Failed attempts by reason <span className="font-normal text-slate-700">({failed.toLocaleString("en")} failed)</span>
        </figcaption>
        {charts.perFailureReason.length === 0 ? (
          <p className="mt-2 text-sm text-slate-700">No failed attempt in this selection.</p>
        ) : (
          <>
            <div className="h-48" aria-hidden="true">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart
                  accessibilityLayer={false}
                  data={charts.perFailureReason}
                  layout="vertical"
                  margin={{ top: 8, right: 8, bottom: 0, left: 8 }}
                >
                  <CartesianGrid strokeDasharray="3 3" horizontal={false} />
                  <XAxis type="number" allowDecimals={false} fontSize={11} />
                  <YAxis type="category" dataKey="label" width={180} fontSize={11} />
                  <Tooltip />
                  <Bar dataKey="count" fill={REASON} name="Failed attempts" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
            <ul className="mt-2 grid gap-x-6 text-sm sm:grid-cols-2">
              {charts.perFailureReason.map((r) => (
                <li key={r.kind} className="flex justify-between gap-2 border-b border-slate-100 py-1" data-kind={r.kind}>
                  <span>{r.label}</span>
                  <span className="tabular-nums">{r.count.toLocaleString("en")}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </figure>
    </section>
  );
}
