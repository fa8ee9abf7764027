import { AppError } from "@/lib/errors";
import { apiRoute } from "@/lib/server/api";
import { getDb } from "@/lib/server/db";
import { listEraseJobs } from "@/lib/server/erasure/jobs";
import { accountIdParams } from "@/lib/server/schemas";

// The console's view of an account's erasure jobs: status and counts only.
export const GET = apiRoute({ permission: "accounts:read", params: accountIdParams }, async ({ params }) => {
  const exists = await getDb().account.findUnique({ where: { id: params.id }, select: { id: true } });
  if (!exists) throw new AppError("not_found", `There is no account ${params.id}.`);
  return listEraseJobs(getDb(), params.id);
});
