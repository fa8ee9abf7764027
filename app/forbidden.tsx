import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">Not allowed</h1>
      <p className="mt-2 text-slate-800">Your role does not allow this page. Ask a team lead if you need access.</p>
      <p className="mt-4">
        <Link href="/" className="text-blue-800 underline">
          Back to Scopedesk
        </Link>
      </p>
    </main>
  );
}
