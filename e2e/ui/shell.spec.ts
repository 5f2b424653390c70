/** The dashboard shell in a real browser: the overview of a healthy installation, navigation to every page, and the not-found page. */
import path from "node:path";
import { screenshotsDir } from "../support/paths";
import { expect, owner, test } from "./account";
import { collectPageProblems } from "./page-problems";

test("the overview shows the current project, the database and a live worker, without errors", async ({ page }) => {
  const problems = collectPageProblems(page);
  await page.goto("/");

  await expect(page).toHaveTitle("GatheRing");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  const navigation = page.getByRole("complementary", { name: "Main navigation" });
  await expect(navigation.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
  await expect(navigation.getByRole("button", { name: `Account: ${owner.name}` })).toBeVisible();

  const project = page.getByRole("region", { name: "Current project" });
  await expect(project.getByTestId("project-name")).not.toBeEmpty();
  await expect(project.getByText("Your role: Owner")).toBeVisible();

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

test("the sidebar reaches every dashboard page, each loads its data without errors", async ({ page }) => {
  test.slow();
  const problems = collectPageProblems(page);
  await page.goto("/");
  const navigation = page.getByRole("navigation", { name: "Pages" });

  await navigation.getByRole("link", { name: "Members" }).click();
  await expect(page).toHaveURL("/members");
  await expect(page).toHaveTitle("Members · GatheRing");
  await expect(page.getByRole("heading", { level: 1, name: "Members" })).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(owner.email) })).toBeVisible();

  await navigation.getByRole("link", { name: "API tokens" }).click();
  await expect(page).toHaveURL("/tokens");
  await expect(page.getByRole("heading", { level: 1, name: "API tokens" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Create token" })).toBeVisible();

  await navigation.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL("/settings");
  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  await expect(page.getByLabel("Anthropic API key")).toBeVisible();

  await navigation.getByRole("link", { name: "Audit" }).click();
  await expect(page).toHaveURL("/audit");
  await expect(page.getByRole("heading", { level: 1, name: "Audit" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Audit events, newest first" })).toBeVisible();
  await expect(navigation.getByRole("link", { name: "Audit" })).toHaveAttribute("aria-current", "page");

  expect(problems).toEqual([]);
});

test("an unknown address shows the not-found page, with a way back", async ({ page }) => {
  const problems = collectPageProblems(page, { expectedFailures: [{ path: "/this-page-does-not-exist", status: 404 }] });
  const response = await page.goto("/this-page-does-not-exist");

  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
  await expect(page.getByText("There is nothing at this address.")).toBeVisible();

  await page.getByRole("link", { name: "Back to the overview" }).click();
  await expect(page).toHaveURL("/");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  expect(problems).toEqual([]);
});

test("a page that fails on the server says so inside the app, with a reference, and Try again brings it back", async ({ page }) => {
  // The dashboard layout fails on purpose while this header is sent (a test hook, on only with GATHERING_TEST_HOOKS=1).
  await page.setExtraHTTPHeaders({ "x-gathering-test-fail": "render" });
  await page.goto("/agents");
  const alert = page.getByRole("alert").filter({ has: page.getByRole("heading", { name: "This page could not be shown" }) });
  await expect(alert).toBeVisible();
  // Production hides the server's message; the digest matches the server log line.
  await expect(alert.getByText(/^Reference for the server log:/)).toBeVisible();
  await expect(alert).not.toContainText("on purpose");
  await expect(page.getByRole("link", { name: "Back to the overview" })).toBeVisible();

  await page.setExtraHTTPHeaders({});
  await alert.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Agents" })).toBeVisible();
  await expect(page).toHaveURL("/agents");
});
