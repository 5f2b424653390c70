/**
 * Circles end to end: the owner makes a round-robin circle of two offline agents in the form, runs it,
 * and watches the run page fill live (the suite's real worker takes the turns) until it stops at its
 * turn limit, with every message's agent, tokens and cost, then finds the run in the circle's history.
 */
import path from "node:path";
import { screenshotsDir } from "../support/paths";
import { currentProjectId, expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

test("the owner creates a circle, runs it and follows the transcript live to its stop reason", async ({ page, baseURL }) => {
  test.slow();
  const problems = collectPageProblems(page);
  const suffix = uniqueSuffix();
  const names = [`Pitcher ${suffix}`, `Critic ${suffix}`];
  const circleName = `Idea circle ${suffix}`;
  const task = `Name a coffee shop ${suffix}`;

  await test.step("two agents on the offline model, made through the API as a script would", async () => {
    await page.goto("/");
    const projectId = await currentProjectId(page);
    for (const name of names) {
      const response = await page.request.post("/api/trpc/agents.create", {
        headers: { origin: baseURL ?? "" },
        data: { json: { projectId, name, role: "Brainstormer", model: { provider: "local", model: "local-echo" } } },
      });
      expect(response.ok(), await response.text()).toBe(true);
    }
  });

  await test.step("the circle form: members with roles, strategy and a turn limit", async () => {
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Circles" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Circles" })).toBeVisible();
    await page.getByRole("link", { name: "New circle" }).click();
    const form = page.getByRole("form", { name: "New circle" });
    await form.getByLabel("Name", { exact: true }).fill(circleName);
    await form.getByLabel("Strategy").selectOption("round_robin");
    await form.getByLabel("Member 1", { exact: true }).selectOption({ label: names[0] ?? "" });
    await form.getByLabel("Role of member 1 in this circle").fill("proposes names");
    await form.getByLabel("Member 2", { exact: true }).selectOption({ label: names[1] ?? "" });
    await form.getByLabel("Role of member 2 in this circle").fill("picks the best");
    await form.getByLabel("Max turns").fill("3");
    await form.getByRole("button", { name: "Create circle" }).click();
    await expect(page.getByRole("heading", { level: 1, name: circleName })).toBeVisible();
    await expect(page.getByText("proposes names")).toBeVisible();
  });

  await test.step("a run fills its transcript live and stops at the turn limit", async () => {
    const form = page.getByRole("form", { name: "Run the circle" });
    await form.getByLabel("Task for the circle").fill(task);
    await form.getByRole("button", { name: "Start a run" }).click();
    await expect(page).toHaveURL(/\/circles\/runs\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("circle-run-status")).toHaveText("Stopped at a limit", { timeout: 60_000 });
    await expect(page.getByTestId("circle-run-stop-reason")).toHaveText("Ended by the turn limit");
    const messages = page.getByTestId("circle-message");
    await expect(messages).toHaveCount(3);
    await expect(messages.nth(0)).toContainText(names[0] ?? "");
    await expect(messages.nth(1)).toContainText(names[1] ?? "");
    await expect(messages.nth(2)).toContainText(names[0] ?? "");
    await expect(messages.nth(0)).toContainText(/\d+ tokens · \$/);
    await expect(page.getByTestId("circle-run-turns")).toHaveText("Turn 3 of at most 3");
    await expect(page.getByRole("heading", { name: "Task board" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Pause" })).toHaveCount(0);
    await page.screenshot({ path: path.join(screenshotsDir, "circle-run.png"), fullPage: true });
  });

  await test.step("the circle's history lists the run", async () => {
    await page.getByRole("link", { name: "Back to the circle" }).click();
    const row = page.getByTestId("circle-run-row").filter({ hasText: task });
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId("circle-run-status")).toHaveText("Stopped at a limit");
  });

  expect(problems).toEqual([]);
});
