/**
 * A new user's first hour, in one browser session against the app and its real worker: sign up (or sign
 * in, when an earlier spec already made the owner) -> point a model provider (Ollama) at the mock model
 * server -> create an agent on it -> chat with a streamed answer -> create a circle and watch its run ->
 * draw a pipeline in the editor and run it -> schedule it and fire it -> a notifying schedule rings the
 * bell -> the audit log holds every step. Circles, pipelines and schedules are audited by id, agents by name.
 */
import path from "node:path";
import type { Page } from "@playwright/test";
import { startMockLlmServer } from "../../packages/testing/src/mock-llm/server";
import type { MockLlmServer } from "../../packages/testing/src/mock-llm/types";
import { screenshotsDir } from "../support/paths";
import { alertsOf, currentProjectId, expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

let mock: MockLlmServer;

test.beforeAll(async () => {
  mock = await startMockLlmServer();
});
test.afterAll(async () => {
  await mock?.close();
});

function navigateTo(page: Page, label: string) {
  return page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: label, exact: true }).click();
}

/** The id at the end of the current address, e.g. /circles/<id>. */
function idInUrl(page: Page): string {
  const id = new URL(page.url()).pathname.split("/").at(-1) ?? "";
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

async function unreadCount(page: Page): Promise<number> {
  const label = (await page.getByTestId("notification-bell").getAttribute("aria-label")) ?? "";
  return Number(label.match(/(\d+) unread/)?.[1] ?? 0);
}

test("a new user goes from sign-up to a scheduled pipeline, a notification and the audit trail", async ({ page, baseURL }) => {
  test.slow();
  // The schedule form previews the cron expression while it is typed: a half-typed one is refused with a 400.
  const problems = collectPageProblems(page, { expectedFailures: [{ path: "/api/trpc/schedules.preview", status: 400 }] });
  const suffix = uniqueSuffix();
  const agentName = `Guide ${suffix}`;
  const circleName = `Journey circle ${suffix}`;
  const pipelineName = `Journey flow ${suffix}`;
  const scheduleName = `Journey nightly ${suffix}`;
  const notificationTitle = `Journey report ${suffix}`;
  // What the audit log must show at the end: the action's label and its target (a name or an id).
  const audited: { action: string; target: string }[] = [{ action: "Agent created", target: agentName }];

  await test.step("signed in, the overview is the first page", async () => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  });

  await test.step("the Ollama endpoint is pointed at the mock model server in Settings", async () => {
    await navigateTo(page, "Settings");
    const url = page.getByLabel("Ollama base URL");
    await url.fill(mock.baseUrls.ollama);
    const form = page.getByRole("region", { name: "Models and endpoints" });
    await form.getByRole("button", { name: "Save", exact: true }).click();
    await expect(form.getByRole("status")).toHaveText("Settings saved.");
  });

  await test.step("an agent on that provider answers a chat, streamed", async () => {
    await navigateTo(page, "Agents");
    await page.getByRole("link", { name: "New agent" }).click();
    await page.getByLabel("Name", { exact: true }).fill(agentName);
    await page.getByLabel("Role", { exact: true }).fill("Shows new users around");
    await page.getByLabel("Provider", { exact: true }).selectOption("ollama");
    await page.getByLabel("Model name", { exact: true }).fill("llama3.2:latest");
    await page.getByRole("button", { name: "Create agent" }).click();
    await expect(page.getByRole("heading", { level: 1, name: agentName })).toBeVisible();

    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("Hello from the journey");
    await composer.press("Enter");
    const reply = page.getByRole("log", { name: "Transcript" }).getByTestId("assistant-message").last();
    await expect(reply).toContainText("Echo: Hello from the journey");
    await expect(reply).toContainText("ollama:llama3.2:latest");
    const chats = mock.requests.filter((request) => request.vendor === "ollama" && request.path.endsWith("/api/chat"));
    expect(chats.length).toBeGreaterThan(0);
  });

  await test.step("a circle of two agents runs, and its transcript fills live to the turn limit", async () => {
    const projectId = await currentProjectId(page);
    const partner = `Partner ${suffix}`;
    const response = await page.request.post("/api/trpc/agents.create", {
      headers: { origin: baseURL ?? "" },
      data: { json: { projectId, name: partner, role: "Second opinion", model: { provider: "local", model: "local-echo" } } },
    });
    expect(response.ok(), await response.text()).toBe(true);
    await navigateTo(page, "Circles");
    await page.getByRole("link", { name: "New circle" }).click();
    const form = page.getByRole("form", { name: "New circle" });
    await form.getByLabel("Name", { exact: true }).fill(circleName);
    await form.getByLabel("Strategy").selectOption("round_robin");
    await form.getByLabel("Member 1", { exact: true }).selectOption({ label: agentName });
    await form.getByLabel("Role of member 1 in this circle").fill("opens");
    await form.getByLabel("Member 2", { exact: true }).selectOption({ label: partner });
    await form.getByLabel("Role of member 2 in this circle").fill("answers");
    await form.getByLabel("Max turns").fill("2");
    await form.getByRole("button", { name: "Create circle" }).click();
    await expect(page.getByRole("heading", { level: 1, name: circleName })).toBeVisible();
    audited.push({ action: "Circle created", target: idInUrl(page) });
    const run = page.getByRole("form", { name: "Run the circle" });
    await run.getByLabel("Task for the circle").fill(`Welcome the new user ${suffix}`);
    await run.getByRole("button", { name: "Start a run" }).click();
    await expect(page).toHaveURL(/\/circles\/runs\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("circle-run-status")).toHaveText("Stopped at a limit", { timeout: 60_000 });
    await expect(page.getByTestId("circle-message")).toHaveCount(2);
    audited.push({ action: "Circle run started", target: idInUrl(page) });
  });

  await test.step("a pipeline is drawn in the editor, saved and run to success", async () => {
    await navigateTo(page, "Pipelines");
    await page.getByRole("link", { name: "New pipeline" }).click();
    await page.getByRole("region", { name: "Name and description" }).getByLabel("Name", { exact: true }).fill(pipelineName);
    await page.getByRole("button", { name: "Add Transform node" }).click();
    const inspector = page.getByRole("complementary", { name: "Inspector" });
    await inspector.getByLabel("Expression", { exact: true }).fill("'journey done'");
    await expect(page.getByTestId("definition-valid")).toBeVisible();
    await page.getByRole("button", { name: "Create pipeline" }).click();
    await expect(page.getByRole("heading", { level: 1, name: pipelineName })).toBeVisible();
    audited.push({ action: "Pipeline created", target: idInUrl(page) });
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page
      .getByRole("dialog", { name: `Run ${pipelineName}` })
      .getByRole("button", { name: "Start run" })
      .click();
    await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("run-status-badge")).toHaveText("Succeeded", { timeout: 60_000 });
    audited.push({ action: "Pipeline run started", target: idInUrl(page) });
  });

  await test.step("scheduled, the pipeline fires on “Run now” and the fire links its run", async () => {
    await navigateTo(page, "Schedules");
    await page.getByRole("link", { name: "New schedule" }).click();
    const form = page.getByRole("form", { name: "New schedule" });
    await form.getByLabel("Name", { exact: true }).fill(scheduleName);
    await form.getByLabel("Cron expression").fill("0 3 * * *");
    await form.getByLabel("Action").selectOption("execute_pipeline");
    await form.getByLabel("Pipeline").selectOption({ label: pipelineName });
    await form.getByRole("button", { name: "Create schedule" }).click();
    await expect(page.getByRole("heading", { level: 2, name: scheduleName })).toBeVisible();
    audited.push({ action: "Schedule created", target: idInUrl(page) }, { action: "Schedule run now", target: idInUrl(page) });
    await page.getByRole("button", { name: "Run now" }).click();
    const fire = page.getByRole("table", { name: "Fire history" }).getByTestId("fire-row");
    await expect(fire.getByTestId("fire-status")).toHaveText("Succeeded", { timeout: 30_000 });
  });

  await test.step("a notifying schedule rings the bell, and the notification is on /notifications", async () => {
    const before = await unreadCount(page);
    await navigateTo(page, "Schedules");
    await page.getByRole("link", { name: "New schedule" }).click();
    const form = page.getByRole("form", { name: "New schedule" });
    await form.getByLabel("Name", { exact: true }).fill(`${scheduleName} report`);
    await form.getByLabel("Cron expression").fill("0 4 * * *");
    await form.getByLabel("Title", { exact: true }).fill(notificationTitle);
    await form.getByLabel("Text", { exact: true }).fill(`${pipelineName} ran tonight.`);
    await form.getByRole("button", { name: "Create schedule" }).click();
    await expect(page.getByRole("heading", { level: 2, name: `${scheduleName} report` })).toBeVisible();
    await page.getByRole("button", { name: "Run now" }).click();
    await expect(page.getByTestId("notification-bell")).toHaveAttribute("aria-label", `Notifications, ${before + 1} unread`, {
      timeout: 20_000,
    });
    await page.getByTestId("notification-bell").click();
    await expect(
      page.getByRole("list", { name: "Unread notifications" }).getByTestId("notification").filter({ hasText: notificationTitle }),
    ).toBeVisible();
  });

  await test.step("the audit log holds every step: the agent, the circle and its run, the pipeline and its run, the schedule", async () => {
    await navigateTo(page, "Audit");
    const log = page.getByRole("table", { name: "Audit events, newest first" });
    for (const { action, target } of audited) {
      await expect(log.getByRole("row").filter({ hasText: action }).filter({ hasText: target }), `${action}: ${target}`).toHaveCount(1);
    }
    await page.screenshot({ path: path.join(screenshotsDir, "journey-audit.png"), fullPage: true });
  });

  await expect(alertsOf(page)).toHaveCount(0);
  expect(problems).toEqual([]);
});
