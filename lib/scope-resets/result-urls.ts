import "server-only";
import { getConfig } from "@/lib/platform/config";

/**
 * Where a note sends its reader for the complete record: the console's own
 * page, absolute when the console's public URL (AUTH_URL) is known, else the
 * path to open in Scopedesk.
 */
export function resetPageUrl(resetId: string): string {
  return consoleUrl(`/scope-resets/${resetId}`);
}

export function familyPageUrl(familyResetId: string): string {
  return consoleUrl(`/family-resets/${familyResetId}`);
}

export function approvalPageUrl(approvalId: string): string {
  return consoleUrl(`/approvals/${approvalId}`);
}

function consoleUrl(path: string): string {
  const origin = getConfig().publicUrl;
  return origin ? `${origin}${path}` : `Scopedesk ${path}`;
}
