import Link from "next/link";

export default function NotFound() {
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
