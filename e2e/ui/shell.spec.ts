/** The dashboard shell in a real browser: the overview of a healthy installation, and the not-found page. */
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { screenshotsDir } from "../support/paths";

const isNotFoundMessage = (text: string) => text.includes("the server responded with a status of 404");

/**
 * Console errors and uncaught exceptions of the page, which a user would see as a broken dashboard.
 * Chromium logs every 404 as an error, including that of a page whose 404 is the point of the test
 * (`expectedNotFound`); only those are tolerated.
 */
function collectPageProblems(page: Page, { expectedNotFound = [] as string[] } = {}): string[] {
  const tolerated404 = new Set(expectedNotFound);
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const url = message.location().url;
    if (isNotFoundMessage(message.text()) && URL.canParse(url) && tolerated404.has(new URL(url).pathname)) return;
    problems.push(`console error: ${message.text()} (${url})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

test("the overview shows the database and a live worker, without errors", async ({ page }) => {
  const problems = collectPageProblems(page);
  await page.goto("/");

  await expect(page).toHaveTitle("GatheRing");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  const navigation = page.getByRole("complementary", { name: "Main navigation" });
  await expect(navigation.getByRole("link", { name: "Overview" })).toBeVisible();

  const system = page.getByRole("region", { name: "System" });
  await expect(system.getByTestId("version")).toHaveText(/^\d+\.\d+\.\d+/);
  await expect(system.getByTestId("database")).toHaveText(/^PostgreSQL \d+(\.\d+)*/);
  await expect(system.getByText("Embedded server in the data directory")).toBeVisible();
  await expect(system.getByTestId("workers")).toHaveText(/^[1-9]\d* live$/);
  await expect(system.getByText(/^Last heartbeat /)).toBeVisible();

  // The indicator is fed by the system.status subscription (SSE), independently of the panel above.
  const indicator = navigation.getByRole("status");
  await expect(indicator).toHaveText(/^[1-9]\d* workers? live$/);
  await expect(indicator).toHaveClass(/indicator-ok/);

  await page.screenshot({ path: path.join(screenshotsDir, "overview.png"), fullPage: true });
  expect(problems).toEqual([]);
});

test("an unknown address shows the not-found page, with a way back", async ({ page }) => {
  const problems = collectPageProblems(page, { expectedNotFound: ["/this-page-does-not-exist"] });
  const response = await page.goto("/this-page-does-not-exist");

  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
  await expect(page.getByText("There is nothing at this address.")).toBeVisible();

  await page.getByRole("link", { name: "Back to the overview" }).click();
  await expect(page).toHaveURL("/");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  expect(problems).toEqual([]);
});
