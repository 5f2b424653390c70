/**
 * Accessibility of every main page in a real browser: axe-core (WCAG 2.x A and AA rules) finds no serious
 * or critical violation on any page, nor in the command palette and a confirmation dialog. Each page is
 * also kept as a full-page screenshot (e2e/artifacts/screenshots, a CI artifact). Named axe-a11y rather
 * than a11y: the specs run in file-name order on one app, and accounts.spec must be the first to sign up.
 */
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { screenshotsDir } from "../support/paths";
import { expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

const mainPages: { path: string; heading: string }[] = [
  { path: "/", heading: "Overview" },
  { path: "/agents", heading: "Agents" },
  { path: "/agents/new", heading: "New agent" },
  { path: "/circles", heading: "Circles" },
  { path: "/pipelines", heading: "Pipelines" },
  { path: "/runs", heading: "Runs" },
  { path: "/schedules", heading: "Schedules" },
  { path: "/knowledge", heading: "Knowledge" },
  { path: "/tools", heading: "Tools" },
  { path: "/files", heading: "Files" },
  { path: "/settings", heading: "Settings" },
  { path: "/audit", heading: "Audit" },
  { path: "/tasks", heading: "Tasks" },
  { path: "/usage", heading: "Usage" },
  { path: "/members", heading: "Members" },
  { path: "/tokens", heading: "API tokens" },
  { path: "/notifications", heading: "Notifications" },
];

/** The serious and critical violations, one line each (rule, what it means, where), so a failure says what to fix. */
async function seriousViolations(page: Page, include?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]);
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    );
}

/** Waits until the page has shown its data or its empty state, not a spinner. */
async function settled(page: Page): Promise<void> {
  await expect(page.getByRole("main").locator("[aria-busy='true']")).toHaveCount(0);
}

test("every main page has no serious or critical accessibility violation", async ({ page }) => {
  // Seventeen pages, each analysed in full: longer than one test's default.
  test.setTimeout(300_000);
  const problems = collectPageProblems(page);
  for (const { path: pagePath, heading } of mainPages) {
    await test.step(pagePath, async () => {
      await page.goto(pagePath);
      await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await settled(page);
      await page.screenshot({
        path: path.join(screenshotsDir, `page-${pagePath === "/" ? "overview" : pagePath.slice(1).replaceAll("/", "-")}.png`),
        fullPage: true,
      });
      expect(await seriousViolations(page), `axe on ${pagePath}`).toEqual([]);
    });
  }
  expect(problems).toEqual([]);
});

test("the command palette and a confirmation dialog are accessible, and the palette jumps to an agent", async ({ page }) => {
  test.slow();
  const problems = collectPageProblems(page);
  const agentName = `Palette ${uniqueSuffix()}`;
  await page.goto("/agents/new");
  await page.getByLabel("Name", { exact: true }).fill(agentName);
  await page.getByLabel("Role", { exact: true }).fill("findable by name");
  await page.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByRole("heading", { level: 1, name: agentName })).toBeVisible();

  await page.goto("/");
  await page.keyboard.press("Control+k");
  const palette = page.getByRole("dialog", { name: "Command palette" });
  await expect(palette).toBeVisible();
  await palette.getByRole("combobox").fill(agentName);
  const option = palette.getByRole("option", { name: new RegExp(agentName) });
  await expect(option).toBeVisible();
  expect(await seriousViolations(page, "[cmdk-dialog]")).toEqual([]);
  await page.screenshot({ path: path.join(screenshotsDir, "command-palette.png") });
  await option.click();
  await expect(page.getByRole("heading", { level: 1, name: agentName })).toBeVisible();

  await page.goto("/agents");
  await page.getByLabel("Search agents").fill(agentName);
  await expect(page.getByTestId("list-status")).toHaveText(`1 agent matching “${agentName}”`);
  await page.getByRole("button", { name: `Archive ${agentName}` }).click();
  const question = page.getByRole("alertdialog", { name: `Archive ${agentName}` });
  await expect(question).toBeVisible();
  // Focus starts on Cancel, so Enter alone cannot archive.
  await expect(question.getByRole("button", { name: "Cancel" })).toBeFocused();
  expect(await seriousViolations(page, "[role='alertdialog']")).toEqual([]);
  await page.keyboard.press("Escape");
  await expect(question).toHaveCount(0);
  await expect(page.getByRole("button", { name: `Archive ${agentName}` })).toBeFocused();
  expect(problems).toEqual([]);
});
