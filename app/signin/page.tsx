import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { OIDC_PROVIDER_ID, signIn } from "@/auth";
import { getConfig } from "@/lib/platform/config";
import { safeReturnPath } from "@/lib/platform/safe-redirect";
import { getStaff } from "@/lib/auth/get-staff";

export const metadata: Metadata = { title: "Sign in" };

const ERROR_MESSAGES: Record<string, string> = {
  AccessDenied: "Your account is not in a Scopedesk group. Ask an administrator for access.",
  Configuration: "Sign-in is misconfigured on the server. Tell the Scopedesk administrators.",
  Verification: "That sign-in link is no longer valid. Try again.",
  AccountDisabled: "Your Scopedesk access has been disabled. Ask an administrator if that is a mistake.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[]; error?: string | string[] }>;
}) {
  const params = await searchParams;
  // The same rule as Auth.js's redirect callback (auth.ts): only the console's own paths, else "/".
  const callbackUrl = safeReturnPath(params.callbackUrl);
  if (await getStaff()) redirect(callbackUrl);
  const errorCode = typeof params.error === "string" ? params.error : null;
  const errorMessage = errorCode ? (ERROR_MESSAGES[errorCode] ?? "Sign-in did not complete. Try again.") : null;
  const { providerName } = getConfig().oidc;

  async function startSignIn() {
    "use server";
    await signIn(OIDC_PROVIDER_ID, { redirectTo: callbackUrl });
  }

  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-2xl font-semibold tracking-tight">Scopedesk</h1>
        <p className="mt-2 text-sm text-slate-600">Support console for account scopes. Staff only.</p>
        {errorMessage && (
          <p role="alert" className="mt-4 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
            {errorMessage}
          </p>
        )}
        <form action={startSignIn} className="mt-6">
          <button type="submit" className="w-full rounded-md bg-blue-700 px-4 py-2.5 text-sm font-medium text-white hover:bg-blue-800">
            Sign in with {providerName}
          </button>
        </form>
      </div>
    </main>
  );
}
