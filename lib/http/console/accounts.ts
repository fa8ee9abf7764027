import { z } from "zod";
import { AppError } from "@/lib/platform/errors";
import { listEraseJobs, type EraseJobList } from "@/lib/erasure/list-erase-jobs";
import { lookupQuerySchema, parseLookupQuery } from "@/lib/accounts/lookup-query";
import { getAccountDetail, type AccountDetail } from "@/lib/accounts/get-account-detail";
import { searchAccounts, type SearchPage } from "@/lib/accounts/search-accounts";
import { getDb } from "@/lib/platform/db";
import { accountIdParams } from "@/lib/http/schemas";
import { consoleEndpoint } from "./endpoint";

/** The account endpoints: lookup, one account as its page shows it, its erasure jobs. */

const lookupQuery = z
  .object({
    q: lookupQuerySchema,
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(600).optional(),
  })
  .strict();

/** GET /api/accounts?q=&limit=&cursor=: exact id, username, e-mail, then username prefix (keyset pages). */
export const searchAccountsEndpoint = consoleEndpoint(
  { method: "GET", path: "/accounts", permission: "accounts:read", query: lookupQuery },
  async ({ query }): Promise<SearchPage> => {
    const parsed = parseLookupQuery(query.q);
    if (!parsed.ok) throw new AppError("bad_request", parsed.error);
    return searchAccounts(parsed, { limit: query.limit, cursor: query.cursor });
  },
);
export type SearchAccountsOutput = SearchPage;

/** GET /api/accounts/{id}: the account, its verdict, scopes, keys, subusers, what a reset would do, its history. */
export const getAccountEndpoint = consoleEndpoint(
  { method: "GET", path: "/accounts/:id", permission: "accounts:read", params: accountIdParams },
  ({ params }): Promise<AccountDetail> => getAccountDetail(params.id),
);
export type GetAccountOutput = AccountDetail;

/** GET /api/accounts/{id}/erase-jobs: its Recipients' Data Erasure jobs, status and counts only. */
export const listEraseJobsEndpoint = consoleEndpoint(
  { method: "GET", path: "/accounts/:id/erase-jobs", permission: "accounts:read", params: accountIdParams },
  async ({ params }): Promise<EraseJobList> => {
    const exists = await getDb().account.findUnique({ where: { id: params.id }, select: { id: true } });
    if (!exists) throw new AppError("not_found", `There is no account ${params.id}.`);
    return listEraseJobs(getDb(), params.id);
  },
);
export type ListEraseJobsOutput = EraseJobList;
