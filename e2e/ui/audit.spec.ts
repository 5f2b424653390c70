/** The audit log: what was done shows up newest first, filters by action, pages with "Load more", and the chain verifies. */
import path from "node:path";
import { createGatheringClient } from "@gathering/client";
import { screenshotsDir } from "../support/paths";
import { currentProjectId, currentProjectName, expect, owner, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

/** More than one page of the log (25 events), so "Load more" has something to load. */
const RENAMES = 30;

test("actions show up in the audit log newest first, filter by action, load older pages and verify as a chain", async ({
  page,
  baseURL,
}) => {
  // Thirty API calls and several page loads: more than the default budget on a busy machine.
  test.slow();
  const problems = collectPageProblems(page);
  if (!baseURL) throw new Error("the ui project needs use.baseURL");
  await page.goto("/tokens");
  const projectId = await currentProjectId(page);
  const projectName = await currentProjectName(page);
  const tokenName = `audit ${uniqueSuffix()}`;

  await test.step("do things worth auditing: a token from the dashboard, renames through the SDK", async () => {
    await page.getByLabel("Token name").fill(tokenName);
    await page.getByLabel("Role").selectOption({ label: "Admin" });
    await page.getByRole("button", { name: "Create token" }).click();
    const token = await page.getByLabel("New API token").inputValue();
    const gathering = createGatheringClient({ url: baseURL, token });
    for (let index = 1; index < RENAMES; index += 1)
      await gathering.projects.rename.mutate({ projectId, name: `${projectName} (${index})` });
    await gathering.projects.rename.mutate({ projectId, name: projectName });
  });

  await page.getByRole("link", { name: "Audit" }).click();
  const events = page.getByRole("table", { name: "Audit events, newest first" });
  const rows = events.locator("tbody tr");

  await test.step("the newest event comes first, with who did it", async () => {
    await expect(rows).toHaveCount(25);
    await expect(rows.first()).toContainText("Project renamed");
    await expect(rows.first()).toContainText(projectName);
    await expect(rows.first()).toContainText(owner.name);
    const ids = await rows.evaluateAll((elements) => elements.map((element) => Number(element.getAttribute("data-event-id"))));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  await test.step("Load more appends older events", async () => {
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(25);
    const ids = await rows.evaluateAll((elements) => elements.map((element) => Number(element.getAttribute("data-event-id"))));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  await test.step("filtering by action shows only that action", async () => {
    await page.getByLabel("Action").selectOption({ label: "API token created" });
    await expect(rows.first()).toContainText(tokenName);
    const actions = await rows.locator("td:nth-child(2)").allTextContents();
    expect(new Set(actions)).toEqual(new Set(["API token created"]));

    await page.getByLabel("Action").selectOption({ label: "Project created" });
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("Project created");
  });

  await test.step("the hash chain verifies", async () => {
    await page.getByLabel("Action").selectOption({ label: "All actions" });
    await page.getByRole("button", { name: "Verify chain" }).click();
    await expect(page.getByRole("region", { name: "Tamper check" }).getByRole("status")).toHaveText(/^Chain intact: \d+ events checked$/);
  });

  await page.screenshot({ path: path.join(screenshotsDir, "audit.png"), fullPage: true });
  expect(problems).toEqual([]);
});
