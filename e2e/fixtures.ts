import { test as base, expect, type BrowserContext } from "@playwright/test";

/**
 * Every spec imports `test` and `expect` from here, so no browser error goes
 * unnoticed: a test fails on any console error, uncaught page error, failed
 * request or HTTP status ≥ 400 in any of its pages, unless it declares it:
 *
 *   test("has no access", async ({ page, expectErrors }) => {
 *     expectErrors(/^HTTP 403 GET \S+\/audit$/);
 *
 * Each error is one line: `console error: <text> (<script or resource url>)`,
 * `page error: <message>`, `request failed: <method> <url>: net::…` or
 * `HTTP <status> <method> <url>` (Chromium's console echo of such a response,
 * "Failed to load resource", is folded into it). Every line must match a declared pattern and
 * every pattern must match a line, so a declaration cannot outlive its error.
 *
 * Requests to every origin count (the app, the development IdP, anything a
 * page reaches for), except Chromium's own background calls to Google hosts,
 * which fail here (no internet) and are none of the console's doing. A request
 * the page cancels itself (net::ERR_ABORTED: a navigation away from a pending
 * fetch or prefetch, an aborted query) did not fail and is not counted.
 */
// Playwright's `use` argument is called `provide` here: the React hooks lint would take it for React's `use`.
export const test = base.extend<{ errorGuard: ErrorGuard; expectErrors: (...patterns: RegExp[]) => void }>({
  errorGuard: [
    async ({ context }, provide) => {
      const guard = new ErrorGuard(context);
      await provide(guard);
      guard.check();
    },
    { auto: true },
  ],
  expectErrors: async ({ errorGuard }, provide) => {
    await provide((...patterns) => errorGuard.expected.push(...patterns));
  },
});

export { expect };

const GOOGLE_BACKGROUND_HOST = /(^|\.)(google\.com|googleapis\.com|gstatic\.com|gvt1\.com)$/;
const RESOURCE_STATUS_ECHO = /^Failed to load resource: the server responded with a status of (\d+)/;

class ErrorGuard {
  readonly expected: RegExp[] = [];
  private readonly lines: string[] = [];
  // "<status> <url>" of the error responses, and of the console lines that only echo one.
  private readonly responses = new Set<string>();
  private readonly echoes = new Map<string, string>();

  constructor(context: BrowserContext) {
    context.on("console", (message) => {
      if (message.type() !== "error") return;
      const { url } = message.location();
      const line = `console error: ${message.text()}${url ? ` (${url})` : ""}`;
      const status = RESOURCE_STATUS_ECHO.exec(message.text())?.[1];
      if (status) this.echoes.set(line, `${status} ${url}`);
      this.lines.push(line);
    });
    context.on("weberror", (error) => this.lines.push(`page error: ${error.error().message}`));
    context.on("requestfailed", (request) => {
      const errorText = request.failure()?.errorText;
      if (errorText !== "net::ERR_ABORTED" && watches(request.url())) {
        this.lines.push(`request failed: ${request.method()} ${request.url()}: ${errorText}`);
      }
    });
    context.on("response", (response) => {
      if (response.status() < 400 || !watches(response.url())) return;
      this.responses.add(`${response.status()} ${response.url()}`);
      this.lines.push(`HTTP ${response.status()} ${response.request().method()} ${response.url()}`);
    });
  }

  check(): void {
    const seen = this.lines.filter((line) => !this.responses.has(this.echoes.get(line) ?? ""));
    const unexpected = seen.filter((line) => !this.expected.some((pattern) => pattern.test(line)));
    const neverSeen = this.expected.filter((pattern) => !seen.some((line) => pattern.test(line)));
    expect(unexpected, "browser errors this test did not declare with expectErrors()").toEqual([]);
    expect(neverSeen.map(String), "errors declared with expectErrors() that never happened").toEqual([]);
  }
}

function watches(url: string): boolean {
  return !GOOGLE_BACKGROUND_HOST.test(new URL(url).hostname);
}
