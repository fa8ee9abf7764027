import { v3Route } from "@/lib/server/v3/route";

// GET /v3/scopes: the calling key's effective scopes (any valid key may ask).
export const GET = v3Route({}, async ({ acting }) => ({ status: 200, body: { scopes: acting.scopes } }));
