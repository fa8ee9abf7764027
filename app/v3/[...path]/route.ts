import { getHttpApp } from "@/lib/http/app";

// Under `next dev` only: /v3 goes to the one pipeline (lib/http); in
// production scripts/server.ts answers it before Next sees it.
const handle = (request: Request) => getHttpApp().fetch(request);

export { handle as GET, handle as POST, handle as PUT, handle as PATCH, handle as DELETE, handle as HEAD, handle as OPTIONS };
