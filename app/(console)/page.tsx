import type { Metadata } from "next";
import Link from "next/link";
import { guardPage } from "@/lib/pages/guard";

export const metadata: Metadata = { title: "Home" };

export default async function HomePage() {
  const { staff } = await guardPage({ permission: "accounts:read", path: "/" });
  return (
    <div className="max-w-2xl space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Hello, {staff.name}</h1>
      <p className="text-slate-800">
        Press <kbd className="rounded border border-slate-300 bg-white px-1.5 font-mono text-sm">/</kbd> and type an account id, username,
        e-mail or subuser name to look an account up, see its scopes and whether it can use the Recipients&apos; Data Erasure API.
      </p>
      <p className="text-slate-800">
        Or open the{" "}
        <Link href="/lookup" className="text-blue-800 underline">
          lookup page
        </Link>
        .
      </p>
    </div>
  );
}
