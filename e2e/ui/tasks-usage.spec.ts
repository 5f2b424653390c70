/**
 * Tasks and usage end to end: the owner gives an offline agent a task, watches it succeed live (the
 * suite's real worker runs it), reads its result and transcript, finds the call on the usage page and
 * sets the project's daily token budget.
 */
import path from "node:path";
import { screenshotsDir } from "../support/paths";
import { alertsOf, currentProjectId, expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

// Sign-up is open only on a fresh installation, so this runs as the owner (see ./account.ts); other
// specs may have made agents and tasks, hence the unique names and the filters.
test("the owner submits a task, sees it succeed live with its transcript, then finds its usage and sets a daily budget", async ({
  page,
  baseURL,
}) => {
  test.slow();
  const problems = collectPageProblems(page);
  const agentName = `Tasker ${uniqueSuffix()}`;
  const taskText = `Write a haiku about queues ${uniqueSuffix()}`;

  await test.step("the tasks page is in the sidebar", async () => {
    await page.goto("/");
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Tasks" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
  });

  await test.step("an agent on the offline model, made through the API as a script would", async () => {
    const projectId = await currentProjectId(page);
    // The page's own cookies; a cookie-authenticated write must come from the dashboard's origin.
    const response = await page.request.post("/api/trpc/agents.create", {
      headers: { origin: baseURL ?? "" },
      data: { json: { projectId, name: agentName, role: "Background worker", model: { provider: "local", model: "local-echo" } } },
    });
    expect(response.ok(), await response.text()).toBe(true);
    await page.reload();
  });

  const row = page.getByTestId("task-row").filter({ hasText: taskText });

  await test.step("a submitted task turns “Succeeded” in the list without a reload", async () => {
    const form = page.getByRole("form", { name: "New task" });
    await form.getByLabel("Agent", { exact: true }).selectOption({ label: agentName });
    await form.getByLabel("What should the agent do?").fill(taskText);
    await form.getByRole("button", { name: "Submit task" }).click();
    await expect(form.getByRole("status")).toContainText("Task submitted.");
    await expect(row).toBeVisible();
    await expect(row.getByTestId("task-status")).toHaveText("Succeeded", { timeout: 30_000 });
    await expect(row).toContainText(agentName);

    await page.getByLabel("Filter by agent").selectOption({ label: agentName });
    await page.getByLabel("Filter by status").selectOption("succeeded");
    await expect(page.getByTestId("task-row")).toHaveCount(1);
    await page.getByLabel("Filter by status").selectOption("failed");
    await expect(page.getByText("No tasks match")).toBeVisible();
    await page.getByLabel("Filter by status").selectOption("all");
    await expect(row).toBeVisible();
    await page.screenshot({ path: path.join(screenshotsDir, "tasks.png"), fullPage: true });
  });

  await test.step("the task's page shows its result, attempts, cost and transcript", async () => {
    await row.getByRole("link").click();
    await expect(page).toHaveURL(/\/tasks\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 1, name: "Task" })).toBeVisible();
    await expect(page.getByTestId("task-status")).toHaveText("Succeeded");
    await expect(page.getByTestId("task-result")).toContainText(/offline demo model/i);
    await expect(page.getByTestId("task-result")).toContainText(taskText);
    await expect(page.getByTestId("task-attempts")).toHaveText("1");
    await expect(page.getByText("$0.00").first()).toBeVisible();
    // A finished task cannot be cancelled.
    await expect(page.getByRole("button", { name: "Cancel task" })).toHaveCount(0);
    const transcript = page.getByRole("list", { name: "Transcript" });
    await expect(transcript.getByRole("listitem").first()).toContainText(taskText);
    await expect(transcript.getByTestId("transcript-assistant").last()).toContainText("local:local-echo");
    await page.screenshot({ path: path.join(screenshotsDir, "task-detail.png"), fullPage: true });
  });

  await test.step("the usage page counts today's call of local:local-echo", async () => {
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Usage" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Usage" })).toBeVisible();
    const today = new Date().toISOString().slice(0, 10);
    const todayRow = page
      .getByTestId("usage-row")
      .filter({ has: page.locator(`time[datetime="${today}"]`) })
      .filter({ hasText: "local:local-echo" });
    await expect(todayRow).toHaveCount(1);
    const calls = Number((await todayRow.getByRole("cell").nth(1).textContent())?.replace(/\D/g, ""));
    expect(calls).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId("usage-chart")).toBeVisible();
    await page.getByLabel("Period", { exact: true }).selectOption("7");
    await expect(todayRow).toHaveCount(1);
  });

  await test.step("a price override without its provider is refused by field, and removed again", async () => {
    await page.getByRole("button", { name: "Add a price" }).click();
    await page.getByLabel("Model 1", { exact: true }).fill("gpt-5");
    await page.getByLabel("Input price 1", { exact: true }).fill("1");
    await page.getByLabel("Output price 1", { exact: true }).fill("2");
    await page.getByRole("button", { name: "Save budgets and prices" }).click();
    await expect(page.getByLabel("Model 1", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText("Use provider:model")).toBeVisible();
    await page.getByRole("button", { name: "Remove the price of gpt-5" }).click();
    await expect(page.getByText("No overrides: the default prices apply.")).toBeVisible();
    await expect(alertsOf(page)).toHaveCount(0);
  });

  await test.step("a daily budget of 1,000,000 tokens is saved and still there after a reload", async () => {
    const budget = page.getByLabel("Tokens per day", { exact: true });
    await budget.fill("1,000,000");
    await page.getByRole("button", { name: "Save budgets and prices" }).click();
    await expect(page.getByText("Budgets and prices saved.")).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Tokens per day", { exact: true })).toHaveValue("1000000");
    await page.screenshot({ path: path.join(screenshotsDir, "usage.png"), fullPage: true });
    await page.getByText("Default prices (US dollars per million tokens)").click();
    await expect(page.getByRole("table", { name: "Default prices" })).toContainText("anthropic:claude-sonnet-4");
  });

  await expect(alertsOf(page)).toHaveCount(0);
  expect(problems).toEqual([]);
});
