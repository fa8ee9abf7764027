import { getHttpApp } from "@/lib/http/app";

// Under `next dev` only: every /api request but Auth.js's goes to the one
// pipeline (lib/http). In production scripts/server.ts answers /api before
// Next sees it.
const handle = (request: Request) => getHttpApp().fetch(request);

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE, handle as HEAD, handle as OPTIONS };
