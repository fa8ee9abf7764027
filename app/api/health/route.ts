import { NextResponse } from "next/server";
import { checkDatabase } from "@/lib/server/health";

// Public on purpose: load balancers and the demo script poll it. It reveals
// nothing but whether the database answers.
export async function GET() {
  const database = await checkDatabase();
  return NextResponse.json(
    { status: database.ok ? "ok" : "degraded", database },
    { status: database.ok ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
