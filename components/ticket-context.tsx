"use client";

import { useSearchParams } from "next/navigation";
import { createContext, Suspense, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { describeHelpdesk, parseTicketRef, ticketPath, type HelpdeskSite } from "@/lib/tickets/ticket-ref";
import { TicketSummary } from "./ticket-details";

export interface TicketRef {
  ticketId: string;
  url: string;
}

interface TicketContextValue {
  ticket: TicketRef | null;
  /** Why the `?ticket=` of the link the agent arrived with was not used. */
  linkError: string | null;
  /** The configured helpdesk, and whether the console can read and post into it. */
  helpdesk: HelpdeskSite & { connected: boolean };
  setTicket(ticket: TicketRef | null): void;
}

const TicketContext = createContext<TicketContextValue | null>(null);

// Per browser tab, so two tabs can work on two tickets; survives navigation and reloads.
const STORAGE_KEY = "scopedesk.ticket";
const listeners = new Set<() => void>();

function readStored(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function writeStored(ticket: TicketRef | null) {
  try {
    if (ticket) window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(ticket));
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled: the ticket then lasts for this page only
  }
  listeners.forEach((l) => l());
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function parseStored(raw: string | null, helpdesk: HelpdeskSite): TicketRef | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as { ticketId?: unknown };
    if (typeof value.ticketId !== "string") return null;
    // Re-parse: stored values are never trusted as-is.
    const parsed = parseTicketRef(value.ticketId, helpdesk);
    return parsed.ok ? { ticketId: parsed.ticketId, url: parsed.url } : null;
  } catch {
    return null;
  }
}

/**
 * The helpdesk ticket the agent is working on. It arrives in a deep link
 * (`?ticket=` on any console page), is kept for the tab, and is shown in the
 * header; the reset dialog uses it.
 */
export function TicketProvider({ helpdesk, children }: { helpdesk: HelpdeskSite & { connected: boolean }; children: React.ReactNode }) {
  const stored = useSyncExternalStore(subscribe, readStored, () => null);
  const [linkError, setLinkError] = useState<string | null>(null);
  const ticket = useMemo(() => parseStored(stored, helpdesk), [stored, helpdesk]);
  const setTicket = useCallback((next: TicketRef | null) => {
    setLinkError(null);
    writeStored(next);
  }, []);
  const value = useMemo(() => ({ ticket, linkError, helpdesk, setTicket }), [ticket, linkError, helpdesk, setTicket]);
  return (
    <TicketContext.Provider value={value}>
      {/* useSearchParams needs a Suspense boundary in a statically rendered tree. */}
      <Suspense fallback={null}>
        <TicketFromLink helpdesk={helpdesk} onLinkError={setLinkError} />
      </Suspense>
      {children}
    </TicketContext.Provider>
  );
}

/**
 * A deep link's ticket replaces the tab's. An invalid one clears it: the
 * agent arrived for some ticket, and keeping the previous one in context
 * would let the reset dialog use the wrong ticket; the dialog then asks.
 */
function TicketFromLink({ helpdesk, onLinkError }: { helpdesk: HelpdeskSite; onLinkError(error: string | null): void }) {
  const ref = useSearchParams().get("ticket");
  useEffect(() => {
    if (ref === null) return;
    const parsed = parseTicketRef(ref, helpdesk);
    if (parsed.ok) {
      writeStored({ ticketId: parsed.ticketId, url: parsed.url });
      onLinkError(null);
    } else {
      writeStored(null);
      onLinkError(`The ticket in the link (“${ref.slice(0, 80)}”) was not used, and no ticket is in context now: ${parsed.error}`);
    }
  }, [ref, helpdesk, onLinkError]);
  return null;
}

export function useTicket(): TicketContextValue {
  const value = useContext(TicketContext);
  if (!value) throw new Error("useTicket must be used inside <TicketProvider>");
  return value;
}

/**
 * The ticket a confirmation dialog is for: the tab's, or, when the tab has
 * none, the one typed into the dialog (which then becomes the tab's).
 */
export function useConfirmationTicket() {
  const { ticket, helpdesk, setTicket } = useTicket();
  const [text, setText] = useState("");
  const resolve = (): { ok: true; ticketId: string } | { ok: false; error: string } => {
    if (ticket) return { ok: true, ticketId: ticket.ticketId };
    const parsed = parseTicketRef(text, helpdesk);
    if (!parsed.ok) return parsed;
    setTicket({ ticketId: parsed.ticketId, url: parsed.url });
    return { ok: true, ticketId: parsed.ticketId };
  };
  return { ticket, helpdesk, text, setText, resolve };
}

/** The header strip: which ticket this tab works on, or a way to set one. */
export function TicketBar() {
  const { ticket, linkError, helpdesk, setTicket } = useTicket();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const parsed = parseTicketRef(text, helpdesk);
    if (!parsed.ok) return setError(parsed.error);
    setTicket({ ticketId: parsed.ticketId, url: parsed.url });
    setEditing(false);
    setError(null);
    setText("");
  }

  return (
    // A landmark of its own, so every part of the page is inside one (axe "region").
    <section aria-label="Ticket in context" className="border-b border-slate-200 bg-slate-50" data-testid="ticket-bar">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-3 px-4 py-2 text-sm">
        {ticket && !editing ? (
          <>
            <span>
              Working on ticket{" "}
              <a
                href={ticket.url}
                target="_blank"
                rel="noreferrer"
                className="font-semibold text-blue-800 underline"
                data-testid="current-ticket"
              >
                #{ticket.ticketId}
              </a>
            </span>
            <TicketSummary />
            <a href={ticketPath(ticket.ticketId)} className="text-blue-800 underline">
              Ticket page
            </a>
            <button type="button" className="text-slate-700 underline" onClick={() => setEditing(true)}>
              Change
            </button>
            <button type="button" className="text-slate-700 underline" onClick={() => setTicket(null)}>
              Clear
            </button>
          </>
        ) : (
          <form onSubmit={submit} className="flex flex-wrap items-center gap-2">
            <label htmlFor="ticket-ref" className="text-slate-700">
              {ticket ? "Change ticket" : "No ticket in context."} Ticket:
            </label>
            <input
              id="ticket-ref"
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder={`Ticket URL on ${describeHelpdesk({ ...helpdesk, allowedSubdomains: [] })}, #123 or 123`}
              maxLength={500}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "ticket-ref-error" : undefined}
              className="w-72 rounded border border-slate-300 bg-white px-2 py-1"
            />
            <button type="submit" className="rounded bg-slate-800 px-2 py-1 text-white">
              Use ticket
            </button>
            {editing && (
              <button type="button" className="text-slate-700 underline" onClick={() => setEditing(false)}>
                Cancel
              </button>
            )}
            {error && (
              <span id="ticket-ref-error" role="alert" className="text-red-800">
                {error}
              </span>
            )}
          </form>
        )}
        {linkError && (
          <p role="alert" className="w-full text-red-800" data-testid="ticket-link-error">
            {linkError}
          </p>
        )}
      </div>
    </section>
  );
}
