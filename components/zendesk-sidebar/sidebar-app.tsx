"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Script from "next/script";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { asApiError, configureApiFetch } from "@/lib/client/api-fetch";
import { consoleApi } from "@/lib/client/console-api";
import { queryKeys } from "@/lib/client/query-keys";
import { parseTicketRef, type HelpdeskSite } from "@/lib/tickets/ticket-ref";
import { SIDEBAR_CSRF_HEADER, SIDEBAR_SESSION_HEADER } from "@/lib/zendesk-app/sidebar-headers";
import { ErrorNotice } from "../confirm-reset-dialog";
import { ResetResult } from "../reset-result";
import { ResetScopes } from "../reset-scopes";
import { RequesterCheck } from "../ticket-details";
import { TicketProvider, type TicketRef } from "../ticket-context";
import { VerdictCard } from "../verdict-card";
import { SidebarLookup } from "./sidebar-lookup";

/** The part of the Zendesk Apps framework SDK the sidebar uses (ZAF v2: ZAFClient.init, get, invoke). */
interface ZafClient {
  get(path: string): Promise<Record<string, unknown>>;
  invoke(name: string, ...args: unknown[]): Promise<unknown>;
}
declare global {
  interface Window {
    ZAFClient?: { init(): ZafClient | false | undefined };
  }
}

const CREDENTIAL_KEY = "scopedesk.sidebar-session";

/**
 * Scopedesk in the Zendesk ticket sidebar (decision 030). The signed load
 * left this frame a session (a cookie over https, or in plain-http
 * development a credential in the fragment, kept for the tab); the Apps
 * framework SDK says which ticket the frame is on. Then, as on the console:
 * the requester's account (or the suggestions, or when none has the
 * requester's e-mail the console's lookup, to pick one), the verdict, what a reset
 * does to keys and subusers, and Reset Scopes with the console's own dialog,
 * endpoints and permissions. The result, the notes' delivery and the reply
 * show in place; every console link opens the full console in a new tab.
 */
export function SidebarApp({
  helpdesk,
  sdkUrl,
  nonce,
}: {
  helpdesk: HelpdeskSite & { connected: boolean };
  sdkUrl: string;
  nonce: string;
}) {
  const [ended, setEnded] = useState(false);
  const container = useRef<HTMLDivElement>(null);
  const zaf = useZendeskTicket(container);
  const pinnedTicket = useMemo(() => (zaf.ticketId ? ticketRefOf(zaf.ticketId, helpdesk) : undefined), [zaf.ticketId, helpdesk]);

  const session = useQuery({
    queryKey: queryKeys.sidebarSession(),
    queryFn: ({ signal }) => {
      // The first call of the page: every call from here on carries the sidebar's session.
      readSidebarCredential(() => setEnded(true));
      return consoleApi.sidebarSession(signal);
    },
    enabled: !ended,
    staleTime: Infinity,
  });
  const csrfToken = session.data?.csrfToken;
  useEffect(() => {
    if (csrfToken) configureApiFetch({ headers: { [SIDEBAR_CSRF_HEADER]: csrfToken } });
  }, [csrfToken]);

  return (
    <div ref={container} onClickCapture={openConsoleLinksInNewTab} className="space-y-3 p-3 text-sm" data-testid="zendesk-sidebar">
      <Script src={sdkUrl} nonce={nonce} strategy="afterInteractive" onReady={zaf.sdkLoaded} onError={zaf.sdkFailed} />
      <header className="flex flex-wrap items-center justify-between gap-2">
        <span className="font-semibold">Scopedesk</span>
        {session.data && (
          <span className="text-xs text-slate-600" data-testid="sidebar-staff">
            {session.data.staff.name} <span className="rounded bg-slate-100 px-1">{session.data.staff.role}</span>
          </span>
        )}
      </header>
      {ended || (session.isError && asApiError(session.error)?.status === 401) ? (
        <p role="alert" className="rounded border border-amber-400 bg-amber-50 p-2" data-testid="sidebar-ended">
          The Scopedesk session of this sidebar has ended. Reload the app in Zendesk to open a new one.
        </p>
      ) : session.isError ? (
        <ErrorNotice error={asApiError(session.error)!} />
      ) : !session.data ? (
        <p className="text-slate-600">Opening Scopedesk…</p>
      ) : zaf.error ? (
        <p role="alert" className="text-red-800">
          {zaf.error}
        </p>
      ) : !zaf.ticketId ? (
        <p className="text-slate-600">Reading the ticket…</p>
      ) : (
        <TicketProvider helpdesk={helpdesk} pinnedTicket={pinnedTicket}>
          <SidebarTicket
            ticketId={zaf.ticketId}
            canReset={session.data.permissions.includes("scopes:reset")}
            role={session.data.staff.role}
          />
        </TicketProvider>
      )}
    </div>
  );
}

let credentialRead = false;

/**
 * The session the signed load left this frame: in plain-http development in
 * the fragment (kept for the tab, then taken off the address), over https a
 * cookie the browser sends by itself. Read once per page.
 */
function readSidebarCredential(onEnded: () => void): void {
  if (credentialRead) return;
  credentialRead = true;
  const fromFragment = new URLSearchParams(window.location.hash.slice(1)).get("session");
  if (fromFragment) {
    try {
      window.sessionStorage.setItem(CREDENTIAL_KEY, fromFragment);
    } catch {
      // storage disabled: the credential lasts for this page only
    }
    // Off the address bar and history: a copied URL carries no session.
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  let credential = fromFragment;
  try {
    credential ??= window.sessionStorage.getItem(CREDENTIAL_KEY);
  } catch {
    // as above
  }
  configureApiFetch({ headers: credential ? { [SIDEBAR_SESSION_HEADER]: credential } : {}, onUnauthenticated: onEnded });
}

/** The ticket the frame is on, from the Apps framework SDK; the frame's height follows its content. */
function useZendeskTicket(container: React.RefObject<HTMLDivElement | null>) {
  const [ticketId, setTicketId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [client, setClient] = useState<ZafClient | null>(null);

  const sdkLoaded = useCallback(() => {
    const zaf = window.ZAFClient?.init();
    if (!zaf) return setError("Open this page from the Scopedesk app in a Zendesk ticket.");
    setClient(zaf);
    zaf.get("ticket.id").then(
      (answer) => {
        const id = answer["ticket.id"];
        if ((typeof id === "number" || typeof id === "string") && /^[1-9][0-9]{0,14}$/.test(String(id))) setTicketId(String(id));
        else setError("Zendesk did not say which ticket this is: open the app from a ticket.");
      },
      () => setError("Zendesk did not say which ticket this is: reload the app."),
    );
  }, []);
  const sdkFailed = useCallback(() => setError("The Zendesk Apps framework could not be loaded: reload the app."), []);

  useEffect(() => {
    const element = container.current;
    if (!client || !element) return;
    const resize = () =>
      void client.invoke("resize", { width: "100%", height: `${Math.ceil(element.scrollHeight) + 8}px` }).catch(() => {});
    const observer = new ResizeObserver(resize);
    observer.observe(element);
    resize();
    return () => observer.disconnect();
  }, [client, container]);

  return { ticketId, error, sdkLoaded, sdkFailed };
}

/** A console link inside the frame (the reset dialog's, the result's) opens the full console in a new tab instead. */
function openConsoleLinksInNewTab(event: React.MouseEvent) {
  const anchor = (event.target as HTMLElement).closest("a");
  const href = anchor?.getAttribute("href");
  if (!anchor || !href || !href.startsWith("/") || href.startsWith("//") || anchor.target === "_blank") return;
  event.preventDefault();
  event.stopPropagation();
  window.open(href, "_blank", "noopener,noreferrer");
}

function ticketRefOf(ticketId: string, helpdesk: HelpdeskSite): TicketRef | undefined {
  const parsed = parseTicketRef(ticketId, helpdesk);
  return parsed.ok ? { ticketId: parsed.ticketId, url: parsed.url } : undefined;
}

type Done = { kind: "reset"; resetId: string } | { kind: "family"; familyResetId: string };

function SidebarTicket({ ticketId, canReset, role }: { ticketId: string; canReset: boolean; role: string }) {
  const view = useQuery({
    queryKey: queryKeys.ticket(ticketId),
    queryFn: ({ signal }) => consoleApi.getTicket(ticketId, signal),
    staleTime: 30_000,
  });
  const [chosen, setChosen] = useState<number | null>(null);
  const [done, setDone] = useState<Done | null>(null);

  if (view.isError) return <ErrorNotice error={asApiError(view.error)!} />;
  if (!view.data) return <p className="text-slate-600">Reading ticket #{ticketId}…</p>;
  const { helpdesk: lookup, suggestions } = view.data;
  const accountId = chosen ?? suggestions[0]?.id ?? null;

  return (
    <div className="space-y-3">
      <section aria-labelledby="sidebar-ticket" className="rounded border border-slate-200 p-2" data-testid="sidebar-ticket">
        <h2 id="sidebar-ticket" className="font-semibold">
          Ticket #{ticketId}
        </h2>
        {lookup.state === "verified" ? (
          <p className="text-slate-700">
            {lookup.ticket.requester.name}
            {lookup.ticket.requester.email ? ` <${lookup.ticket.requester.email}>` : " (no e-mail)"}
          </p>
        ) : (
          <p role="note" className="text-amber-900">
            {lookup.state === "not_found"
              ? "Zendesk has no ticket with this number."
              : lookup.state === "unverified"
                ? lookup.reason
                : `${lookup.reason} Copy the notes into the ticket by hand.`}
          </p>
        )}
        {suggestions.length > 1 && (
          <div className="mt-1">
            <label htmlFor="sidebar-account" className="text-slate-700">
              Accounts with the requester&apos;s e-mail:
            </label>{" "}
            <select
              id="sidebar-account"
              value={accountId ?? undefined}
              onChange={(e) => {
                setChosen(Number(e.target.value));
                setDone(null);
              }}
              className="rounded border border-slate-300 px-1"
            >
              {suggestions.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.username} #{s.id}
                  {s.parentId ? ` (subuser of #${s.parentId})` : ""}
                </option>
              ))}
            </select>
          </div>
        )}
      </section>

      {lookup.state !== "not_found" && accountId === null && (
        <>
          <p data-testid="sidebar-no-account">
            {lookup.state === "verified"
              ? "No account or subuser has the requester's e-mail: find it below."
              : "Find the requester's account below."}
          </p>
          <SidebarLookup
            requesterEmail={lookup.state === "verified" ? lookup.ticket.requester.email : null}
            onPick={(id) => {
              setChosen(id);
              setDone(null);
            }}
          />
        </>
      )}
      {suggestions.length === 0 && chosen !== null && (
        <p className="text-xs text-slate-700" data-testid="sidebar-picked">
          Picked from the lookup, not by the requester&apos;s e-mail.{" "}
          <button
            type="button"
            className="text-blue-800 underline"
            onClick={() => {
              setChosen(null);
              setDone(null);
            }}
          >
            Find another account
          </button>
        </p>
      )}
      {done?.kind === "reset" ? (
        <SidebarResult resetId={done.resetId} canAct={canReset} onBack={() => setDone(null)} />
      ) : done?.kind === "family" ? (
        <div role="status" className="rounded border border-emerald-300 bg-emerald-50 p-2" data-testid="sidebar-family-done">
          <p className="font-semibold">Family reset done.</p>
          <a href={`/family-resets/${done.familyResetId}`} className="text-blue-800 underline">
            See every account&apos;s outcome in Scopedesk
          </a>
        </div>
      ) : accountId !== null ? (
        <SidebarAccount
          accountId={accountId}
          ticketId={ticketId}
          canReset={canReset}
          role={role}
          onReset={(resetId) => setDone({ kind: "reset", resetId })}
          onFamilyReset={(familyResetId) => setDone({ kind: "family", familyResetId })}
        />
      ) : null}
    </div>
  );
}

function SidebarAccount({
  accountId,
  ticketId,
  canReset,
  role,
  onReset,
  onFamilyReset,
}: {
  accountId: number;
  ticketId: string;
  canReset: boolean;
  role: string;
  onReset(resetId: string): void;
  onFamilyReset(familyResetId: string): void;
}) {
  const detail = useQuery({ queryKey: queryKeys.account(accountId), queryFn: ({ signal }) => consoleApi.getAccount(accountId, signal) });
  if (detail.isError) return <ErrorNotice error={asApiError(detail.error)!} />;
  if (!detail.data) return <p className="text-slate-600">Reading account #{accountId}…</p>;
  const { account } = detail.data;
  return (
    <div className="space-y-3" data-testid="sidebar-account">
      <div>
        <p className="text-xs text-slate-600">{account.isSubuser ? `Subuser of ${account.parent?.username ?? "?"}` : "Account"}</p>
        <h2 className="text-base font-semibold">
          {account.username} <span className="font-normal text-slate-600">#{account.id}</span>
        </h2>
        <a
          href={`/accounts/${account.id}?ticket=${encodeURIComponent(ticketId)}`}
          target="_blank"
          rel="noreferrer"
          className="text-blue-800 underline"
          data-testid="open-console"
        >
          Open in Scopedesk
        </a>
      </div>
      <RequesterCheck account={{ email: account.email, parentEmail: account.parent?.email ?? null }} />
      <VerdictCard detail={detail.data} />
      <ResetScopes
        detail={detail.data}
        canReset={canReset}
        role={role}
        onNavigate={(href) => {
          // A result is shown in place; anything else (an approval request's page) opens in the full console.
          const reset = /^\/scope-resets\/([0-9a-f-]{36})/.exec(href);
          if (reset) return onReset(reset[1]!);
          const family = /^\/family-resets\/([0-9a-f-]{36})/.exec(href);
          if (family) return onFamilyReset(family[1]!);
          window.open(href, "_blank", "noopener,noreferrer");
        }}
      />
    </div>
  );
}

/** The reset's result as its page shows it, refreshed until both notes are in the ticket. */
function SidebarResult({ resetId, canAct, onBack }: { resetId: string; canAct: boolean; onBack(): void }) {
  const queryClient = useQueryClient();
  const reset = useQuery({
    queryKey: queryKeys.scopeReset(resetId),
    queryFn: ({ signal }) => consoleApi.getScopeReset(resetId, signal),
    refetchInterval: (query) => {
      const deliveries = query.state.data?.deliveries ?? [];
      const settled = deliveries.length > 0 && deliveries.every((d) => d.status === "delivered" || d.status === "dead");
      return settled ? false : 2000;
    },
  });
  if (reset.isError) return <ErrorNotice error={asApiError(reset.error)!} />;
  if (!reset.data) return <p className="text-slate-600">Reading the reset…</p>;
  return (
    <div className="space-y-2" data-testid="sidebar-result">
      <button
        type="button"
        className="text-blue-800 underline"
        onClick={() => {
          void queryClient.invalidateQueries({ queryKey: queryKeys.account(reset.data.account.id) });
          onBack();
        }}
      >
        Back to the account
      </button>
      <ResetResult reset={reset.data} canAct={canAct} />
    </div>
  );
}
