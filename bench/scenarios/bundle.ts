/**
 * First-load JavaScript of a page as the browser receives it: every script
 * the page loads, compressed size on the wire (Next serves gzip), summed.
 */
import { chromium } from "@playwright/test";

export async function firstLoadJavaScript(
  baseUrl: string,
  cookie: string,
  path: string,
): Promise<{ scripts: number; gzipKb: number; rawKb: number }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const context = await browser.newContext();
    const { hostname } = new URL(baseUrl);
    await context.addCookies(
      cookie.split("; ").map((pair) => {
        const eq = pair.indexOf("=");
        return { name: pair.slice(0, eq), value: pair.slice(eq + 1), domain: hostname, path: "/" };
      }),
    );
    const page = await context.newPage();
    await page.goto(`${baseUrl}${path}`, { waitUntil: "networkidle" });
    const entries = await page.evaluate(() =>
      (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
        .filter((e) => e.initiatorType === "script" || e.name.endsWith(".js"))
        .map((e) => ({ name: e.name, encoded: e.encodedBodySize, decoded: e.decodedBodySize })),
    );
    const sum = (key: "encoded" | "decoded") => Math.round((entries.reduce((a, e) => a + e[key], 0) / 1024) * 10) / 10;
    return { scripts: entries.length, gzipKb: sum("encoded"), rawKb: sum("decoded") };
  } finally {
    await browser.close();
  }
}
