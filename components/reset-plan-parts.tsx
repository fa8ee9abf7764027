import Link from "next/link";
import { describeKeyUsage } from "@/lib/api-keys/key-usage";
import type { KeyLackingEraseJob, KeyLoss } from "@/lib/scope-resets/key-impact";

/** Accounts named inline, each linking to its page: "a, b, c". */
export function AccountLinks({ accounts }: { accounts: readonly { id: number; username: string }[] }) {
  return accounts.map((s, i) => (
    <span key={s.id}>
      {i > 0 && ", "}
      <Link href={`/accounts/${s.id}`} className="text-blue-800 underline">
        {s.username}
      </Link>
    </span>
  ));
}

/** What a reset adds and removes, side by side; removals in red. */
export function ScopeDiff({
  added,
  removed,
  compact = false,
}: {
  added: readonly string[];
  removed: readonly string[];
  compact?: boolean;
}) {
  return (
    <div className={`mt-2 grid gap-3 sm:grid-cols-2 ${compact ? "text-xs" : ""}`}>
      <ScopeList title={`Removed (${removed.length})`} scopes={removed} tone="removed" />
      <ScopeList title={`Added (${added.length})`} scopes={added} tone="added" />
    </div>
  );
}

function ScopeList({ title, scopes, tone }: { title: string; scopes: readonly string[]; tone: "added" | "removed" }) {
  const style = tone === "removed" ? "border-red-300 bg-red-50" : "border-emerald-300 bg-emerald-50";
  return (
    <div className={`rounded border p-3 ${style}`} data-testid={`plan-${tone}`}>
      <h3 className="text-sm font-semibold">{title}</h3>
      {scopes.length === 0 ? (
        <p className="text-sm text-slate-700">none</p>
      ) : (
        <ul tabIndex={0} aria-label={title} className="mt-1 max-h-48 overflow-auto font-mono text-xs">
          {scopes.map((s) => (
            <li key={s}>
              {tone === "removed" ? "− " : "+ "}
              {s}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Each existing key that would lose scopes, and which. `accountId`: the account being reset (its subusers'
 * keys are labelled). With `usage` (when each key was last used, as of `usage.now`), each says in words what
 * losing scopes means for it: a key used an hour ago is a live integration, one unused for months probably not.
 */
export function KeyLossList({
  losses,
  accountId,
  usage,
}: {
  losses: readonly KeyLoss[];
  accountId: number;
  usage?: { lastUsed: Readonly<Record<string, string | null>>; now: string };
}) {
  return (
    <ul className="mt-1 space-y-1 break-words" data-testid="key-losses">
      {losses.map((l) => {
        const used = usage && l.keyId in usage.lastUsed ? describeKeyUsage(usage.lastUsed[l.keyId] ?? null, new Date(usage.now)) : null;
        return (
          <li key={l.keyId} data-testid="key-loss" data-recency={used?.recency}>
            <span className="font-medium">{l.keyName || "(unnamed key)"}</span>{" "}
            <span className="break-all font-mono text-xs text-slate-700">{l.keyId}</span>
            {l.accountId !== accountId && <span className="text-slate-700"> (subuser {l.accountUsername})</span>} loses{" "}
            <code className="text-xs">{l.loses.join(", ")}</code>
            {used && (
              <span
                className={`block text-xs ${used.recency === "recent" ? "font-semibold text-red-900" : "text-slate-700"}`}
                data-testid="key-usage"
              >
                {capitalise(used.consequence)}.
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The account's keys that keep lacking an erase-job scope: the customer needs a new key. */
export function KeysLackingList({ keys }: { keys: readonly KeyLackingEraseJob[] }) {
  if (keys.length === 0) return <p>Every existing API key will have the erase-job scopes.</p>;
  return (
    <>
      <p>
        {keys.length} existing API key{keys.length === 1 ? "" : "s"} will still lack the erase-job scopes (a key keeps the scopes it was
        created with), so the customer needs a new key:
      </p>
      <ul className="mt-1 list-disc pl-5" data-testid="keys-lacking">
        {keys.map((k) => (
          <li key={k.keyId}>
            {k.keyName || "(unnamed key)"} <span className="font-mono text-xs text-slate-700">{k.keyId}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
