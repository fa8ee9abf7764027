"use client";

import { useSyncExternalStore } from "react";
import { formatUtcShort } from "@/lib/client/format-time";

// Re-exported for client components; server components import it from lib/format-time.
export { formatUtcShort };

const subscribe = () => () => {};

/** True after hydration; the server render and the first client render agree on false. */
export function useIsClient(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}

/**
 * A time in UTC (what tickets and notes use) and, once in the browser, in the
 * viewer's own time zone. The server cannot know that zone, so local time
 * appears after hydration.
 */
export function DualTime({ iso, className }: { iso: string; className?: string }) {
  const isClient = useIsClient();
  const local = isClient
    ? new Intl.DateTimeFormat(undefined, {
        dateStyle: "medium",
        timeStyle: "long",
      }).format(new Date(iso))
    : null;
  return (
    <span className={className}>
      <time dateTime={iso}>{formatUtcShort(iso)}</time>
      {local && <span className="block text-xs text-slate-600">your time: {local}</span>}
    </span>
  );
}
