import Link from "next/link";
import { signOut } from "@/auth";
import { SearchBox } from "@/components/search-box";
import { TicketBar, TicketProvider } from "@/components/ticket-context";
import { getConfig } from "@/lib/platform/config";
import { helpdeskConnection } from "@/lib/helpdesk/get-zendesk";
import { can } from "@/lib/auth/permissions";
import { getStaff } from "@/lib/auth/get-staff";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  // Every page checks the session and its permission itself (and sends a
  // signed-out visitor to sign in, back to that page); without a session the
  // layout only leaves out the chrome.
  const staff = await getStaff();
  if (!staff) return <>{children}</>;

  async function signOutAction() {
    "use server";
    await signOut({ redirectTo: "/signin" });
  }

  return (
    <TicketProvider helpdesk={{ ...getConfig().helpdesk, connected: helpdeskConnection().connected }}>
      <div className="flex min-h-screen flex-col">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2"
        >
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-4 px-4 py-3">
            <Link href="/" className="text-lg font-semibold tracking-tight text-slate-900">
              Scopedesk
            </Link>
            <nav aria-label="Main" className="flex items-center gap-3 text-sm">
              <Link href="/lookup" className="text-slate-700 hover:text-slate-950">
                Lookup
              </Link>
              <Link href="/triage" className="text-slate-700 hover:text-slate-950">
                Triage
              </Link>
              {can(staff.role, "scopes:reset") && (
                <Link href="/approvals" className="text-slate-700 hover:text-slate-950">
                  Approvals
                </Link>
              )}
              {can(staff.role, "audit:read_own") && (
                <Link href="/audit" className="text-slate-700 hover:text-slate-950">
                  Audit
                </Link>
              )}
            </nav>
            <div className="min-w-64 flex-1">
              <SearchBox />
            </div>
            <div className="flex items-center gap-3 text-sm">
              <span className="text-slate-700">
                {staff.name} <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{staff.role}</span>
              </span>
              <form action={signOutAction}>
                <button type="submit" className="text-slate-700 underline-offset-2 hover:underline">
                  Sign out
                </button>
              </form>
            </div>
          </div>
        </header>
        <TicketBar />
        <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6">
          {children}
        </main>
      </div>
    </TicketProvider>
  );
}
