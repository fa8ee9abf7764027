import Link from "next/link";
import { connection } from "next/server";

export default async function NotFound() {
  // Rendered per request, not prerendered: only then does Next put this request's CSP nonce on its scripts (proxy.ts).
  await connection();
  return (
    <main className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-2 text-slate-800">There is nothing here: the account id may be wrong, or the account does not exist.</p>
      <p className="mt-4">
        <Link href="/lookup" className="text-blue-800 underline">
          Look up an account
        </Link>
      </p>
    </main>
  );
}
