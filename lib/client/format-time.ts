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
