import { holdersLacking, type ScopeHolder } from "@/lib/scopes/effective-scopes";

/** Why a scope is not effective, naming who lacks it: the key, the account, the parent or the subuser acted for. */
export function missingScopeMessage(scope: string, chain: readonly ScopeHolder[]): string {
  const lacking = holdersLacking(scope, chain);
  const parts = lacking.map((h) =>
    h.kind === "key"
      ? `this API key lacks ${scope}`
      : h.kind === "subuser"
        ? `the subuser ${h.label} lacks ${scope} (its own scopes must include it: ask support to enable it for that subuser)`
        : h.kind === "parent"
          ? `the parent account ${h.label} lacks ${scope}, and a subuser never holds more than its parent`
          : `the account ${h.label} lacks ${scope}`,
  );
  return parts.length > 0 ? parts.join("; ") : `${scope} is not available here`;
}
