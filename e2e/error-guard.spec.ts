import { test } from "./fixtures";

// The guard itself (e2e/fixtures.ts): these use test.fail() where the guard must fail the test.
test.describe("the browser error guard", () => {
  test.beforeEach(async ({ page }) => {
    await page.goto("/signin");
  });

  test("fails a test on a console error it did not declare", async ({ page }) => {
    test.fail();
    await page.evaluate(() => console.error("undeclared"));
  });

  test("fails a test on an uncaught page error", async ({ page }) => {
    test.fail();
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          setTimeout(() => {
            throw new Error("uncaught");
          });
          setTimeout(resolve, 50);
        }),
    );
  });

  test("fails a test on an error response it did not declare", async ({ page }) => {
    test.fail();
    await page.evaluate(() => fetch("/api/accounts/1"));
  });

  test("passes a test that declares the errors it provokes", async ({ page, expectErrors }) => {
    expectErrors(/^console error: declared/, /^HTTP 401 GET \S+\/api\/accounts\/1$/);
    await page.evaluate(() => console.error("declared"));
    await page.evaluate(() => fetch("/api/accounts/1"));
  });

  test("fails a test whose declared error never happens", async ({ expectErrors }) => {
    test.fail();
    expectErrors(/^console error: never/);
  });
});
