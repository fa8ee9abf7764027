"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import type { SearchAccountsOutput } from "@/lib/http/console/accounts";
import { formatUtcShort } from "./local-time";
import { MATCH_LABEL_LONG } from "@/lib/accounts/match-labels";

/** The full results page: ranked matches, paged with the API's cursor. */
export function LookupResults({
  initialQuery,
  initialPage,
  initialError,
}: {
  initialQuery: string;
  initialPage: SearchAccountsOutput | null;
  initialError: string | null;
}) {
  const router = useRouter();
  const [text, setText] = useState(initialQuery);
  const inputId = useId();
  const query = initialQuery.trim();

  const results = useInfiniteQuery({
    queryKey: queryKeys.lookupPage(query),
    queryFn: ({ pageParam, signal }) => consoleApi.searchAccounts({ q: query, limit: 20, cursor: pageParam }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: initialPage ? { pages: [initialPage], pageParams: [null] } : undefined,
    enabled: query.length > 0 && !initialError,
  });
  const rows = results.data?.pages.flatMap((p) => p.results) ?? [];

  return (
    <div className="space-y-4">
      <form
        role="search"
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          router.push(`/lookup?q=${encodeURIComponent(text.trim())}`);
        }}
      >
        <label htmlFor={inputId} className="sr-only">
          Account id, username, e-mail or subuser name
        </label>
        <input
          id={inputId}
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={1000}
          placeholder="Account id, username, e-mail or subuser name"
          className="w-full max-w-xl rounded-md border border-slate-300 px-3 py-2 text-sm"
        />
        <button type="submit" className="rounded-md bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800">
          Search
        </button>
      </form>

      {initialError && (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          {initialError}
        </p>
      )}
      {!query && !initialError && <p className="text-sm text-slate-700">Type an account id, username, e-mail or subuser name.</p>}
      {results.isError && (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm">
          {results.error.message}
        </p>
      )}
      {query && results.isSuccess && rows.length === 0 && (
        <p className="text-sm text-slate-700" role="status">
          No account matches “{query}”.
        </p>
      )}
      {rows.length > 0 && (
        <table className="w-full rounded-lg border border-slate-200 bg-white text-left text-sm" aria-label="Matching accounts">
          <thead className="border-b border-slate-200 text-slate-700">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                Account
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                E-mail
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Signed up
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Erase-job scopes
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Match
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className="border-b border-slate-100" data-testid="lookup-row">
                <td className="px-3 py-2">
                  <Link href={`/accounts/${r.id}`} className="font-medium text-blue-800 underline">
                    {r.username}
                  </Link>{" "}
                  <span className="text-slate-600">
                    #{r.id}
                    {r.parentId ? ` · subuser of #${r.parentId}` : ""}
                    {r.region === "eu" ? " · EU" : ""}
                  </span>
                </td>
                <td className="px-3 py-2">{r.email}</td>
                <td className="px-3 py-2">{formatUtcShort(r.signedUpAt)}</td>
                <td className={`px-3 py-2 ${r.hasEraseJobScopes ? "text-emerald-800" : "text-red-800"}`}>
                  {r.hasEraseJobScopes ? "present" : "missing"}
                </td>
                <td className="px-3 py-2 text-slate-700">{MATCH_LABEL_LONG[r.matchedBy]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {results.hasNextPage && (
        <button
          type="button"
          onClick={() => void results.fetchNextPage()}
          disabled={results.isFetchingNextPage}
          className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm"
        >
          {results.isFetchingNextPage ? "Loading…" : "More results"}
        </button>
      )}
    </div>
  );
}
