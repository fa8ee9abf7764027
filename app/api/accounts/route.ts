import { z } from "zod";
import { AppError } from "@/lib/errors";
import { lookupQuerySchema, parseLookupQuery } from "@/lib/lookup-query";
import { searchAccounts } from "@/lib/server/accounts";
import { apiRoute } from "@/lib/server/api";

const query = z.object({
  q: lookupQuerySchema,
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(600).optional(),
});

export const GET = apiRoute({ permission: "accounts:read", query }, async ({ query }) => {
  const parsed = parseLookupQuery(query.q);
  if (!parsed.ok) throw new AppError("bad_request", parsed.error);
  return searchAccounts(parsed, { limit: query.limit, cursor: query.cursor });
});
