"use client";

import { useState } from "react";

export interface AuditFilterValues {
  range: string;
  from: string;
  to: string;
  agent: string;
  account: string;
  ticket: string;
  outcome: string;
}

const field = "mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1.5 text-sm";
const labelText = "block text-xs font-medium text-slate-700";

/**
 * The filter bar. Every value goes into the URL (bookmarkable, shareable);
 * the server reads it back through the same schema the API uses.
 */
export function AuditFilters({
  values,
  agents,
  agentLocked,
}: {
  values: AuditFilterValues;
  agents: { id: string; name: string; email: string }[];
  /** An agent sees only their own resets: the agent filter is fixed. */
  agentLocked: boolean;
}) {
  const [range, setRange] = useState(values.from || values.to ? "custom" : values.range || "all");

  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const query = new URLSearchParams();
    const rangeValue = String(data.get("range") ?? "all");
    if (rangeValue === "custom") {
      for (const key of ["from", "to"]) {
        const v = String(data.get(key) ?? "").trim();
        if (v) query.set(key, v);
      }
    } else if (rangeValue !== "all") query.set("range", rangeValue);
    for (const key of ["agent", "account", "ticket", "outcome"]) {
      const v = String(data.get(key) ?? "").trim();
      if (v) query.set(key, v);
    }
    const text = query.toString();
    // A full page load, not router.push: Next 16's client navigation to the same page with other search
    // parameters intermittently never commits in production builds (vercel/next.js#83386, #92152; decision 038).
    window.location.assign(text ? `/audit?${text}` : "/audit");
  }

  return (
    <form
      onSubmit={submit}
      aria-label="Filter resets"
      className="grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-4 md:grid-cols-4 lg:grid-cols-8"
    >
      <label className="col-span-2 md:col-span-1">
        <span className={labelText}>Date range</span>
        <select name="range" value={range} onChange={(e) => setRange(e.target.value)} className={field}>
          <option value="all">All time</option>
          <option value="today">Today</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
          <option value="custom">Custom dates</option>
        </select>
      </label>
      <label>
        <span className={labelText}>From (UTC)</span>
        <input type="date" name="from" defaultValue={values.from} disabled={range !== "custom"} className={field} />
      </label>
      <label>
        <span className={labelText}>To (UTC, inclusive)</span>
        <input type="date" name="to" defaultValue={values.to} disabled={range !== "custom"} className={field} />
      </label>
      <label>
        <span className={labelText}>Agent</span>
        <select name="agent" defaultValue={values.agent} disabled={agentLocked} className={field}>
          {!agentLocked && <option value="">Anyone</option>}
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.email})
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className={labelText}>Account (id or username)</span>
        <input name="account" defaultValue={values.account} maxLength={200} autoComplete="off" className={field} />
      </label>
      <label>
        <span className={labelText}>Ticket</span>
        <input name="ticket" defaultValue={values.ticket} maxLength={200} placeholder="#4242 or URL" autoComplete="off" className={field} />
      </label>
      <label>
        <span className={labelText}>Outcome</span>
        <select name="outcome" defaultValue={values.outcome} className={field}>
          <option value="">Any</option>
          <option value="succeeded">Succeeded</option>
          <option value="failed">Failed</option>
        </select>
      </label>
      <div className="flex items-end gap-2">
        <button type="submit" className="rounded bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700">
          Apply filters
        </button>
        <a href="/audit" className="px-1 py-1.5 text-sm text-slate-700 underline">
          Clear
        </a>
      </div>
    </form>
  );
}
