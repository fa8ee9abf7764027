/** Times as the console shows them: fixed UTC, so agents and notes agree whatever their time zone. */
const utcFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: "UTC",
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

export function formatUtcShort(iso: string): string {
  return `${utcFormat.format(new Date(iso))} UTC`;
}

/**
 * How far `iso` is from `now`, in words: "5 minutes ago", "in 23 hours". `now` is passed in (the time the
 * data was read), so the server's render and the browser's say the same.
 */
export function formatRelative(iso: string, now: string): string {
  const ms = new Date(iso).getTime() - new Date(now).getTime();
  const abs = Math.abs(ms);
  const [n, unit] =
    abs < 60_000
      ? [0, "minute"]
      : abs < 3_600_000
        ? [Math.floor(abs / 60_000), "minute"]
        : abs < 86_400_000
          ? [Math.floor(abs / 3_600_000), "hour"]
          : [Math.floor(abs / 86_400_000), "day"];
  if (n === 0) return "just now";
  const amount = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return ms < 0 ? `${amount} ago` : `in ${amount}`;
}
