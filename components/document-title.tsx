"use client";

import { useEffect } from "react";

/**
 * Puts the page's title back after a client-side navigation to the same page
 * with other search parameters: Next 16 removes the <title> then and does not
 * add it again (seen on /audit when the filters change; a hard load is fine).
 * Renders nothing.
 */
export function DocumentTitle({ title }: { title: string }) {
  useEffect(() => {
    if (document.title !== title) document.title = title;
  }, [title]);
  return null;
}
