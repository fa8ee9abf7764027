import { getAccountDetail } from "@/lib/server/accounts";
import { apiRoute } from "@/lib/server/api";
import { accountIdParams } from "@/lib/server/schemas";

export const GET = apiRoute({ permission: "accounts:read", params: accountIdParams }, ({ params }) =>
  getAccountDetail(params.id),
);
