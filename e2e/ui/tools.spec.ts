/**
 * Tools end to end: the owner reads the catalog of built-in tools and their input fields, runs the
 * calculator in the playground (a result, a refused editor text, a tool error), then rejects a call that
 * an offline agent made in a chat and that waits for approval, and sees it leave the queue.
 */
import path from "node:path";
import { screenshotsDir } from "../support/paths";
import { alertsOf, currentProjectId, expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

/** The number of tools built in (packages/core/src/tools/catalog.ts). */
const BUILTIN_TOOL_COUNT = 20;

// Runs as the owner (see ./account.ts); other specs may have made agents and approvals, hence the unique names.
test("the owner reads the tool catalog, runs the calculator in the playground, and rejects a call waiting for approval", async ({
  page,
  baseURL,
}) => {
  test.slow();
  const problems = collectPageProblems(page);
  const agentName = `Doorkeeper ${uniqueSuffix()}`;

  await test.step("the tools page is in the sidebar", async () => {
    await page.goto("/");
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Tools" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Tools" })).toBeVisible();
    await expect(page).toHaveURL("/tools");
  });

  await test.step("the catalog lists the built-in tools with their input fields, and the search filters them", async () => {
    const cards = page.getByTestId("tool-card");
    await expect(cards).toHaveCount(BUILTIN_TOOL_COUNT);
    for (const name of ["calculator", "datetime", "web_fetch", "file_write", "ask_agent", "memory_store"]) {
      await expect(page.getByRole("article", { name, exact: true })).toBeVisible();
    }
    const calculator = page.getByRole("article", { name: "calculator", exact: true });
    const fields = calculator.getByRole("table", { name: "Input of calculator" });
    await expect(fields.getByRole("rowheader")).toHaveText(["expression required"]);
    await expect(fields).toContainText("string");
    await expect(fields).toContainText("up to 1,000 characters");
    await expect(calculator.getByRole("list", { name: "Behaviour" })).toContainText("Timeout 5 s");
    // An enum's values and a default, read from the schema.
    const httpRequest = page.getByRole("article", { name: "http_request", exact: true });
    await expect(httpRequest.getByRole("row", { name: /method/ })).toContainText('default "GET"');
    await expect(httpRequest.getByRole("row", { name: /method/ }).getByText("DELETE", { exact: true })).toBeVisible();
    await expect(page.getByRole("article", { name: "file_write", exact: true }).getByText("Side effect")).toBeVisible();
    await calculator.getByText("JSON Schema").click();
    await expect(calculator.locator("pre")).toContainText('"required": [');

    const search = page.getByLabel("Search tools");
    await search.fill("Daylight");
    await expect(cards).toHaveCount(1);
    await expect(cards).toHaveAccessibleName("datetime");
    await search.fill("workspace");
    await expect(cards).toHaveCount(4);
    await expect(page.getByRole("region", { name: "Built-in tools" }).getByRole("heading", { level: 3 })).toHaveText(["Files"]);
    await search.fill("no such tool at all");
    await expect(page.getByText("No tools match")).toBeVisible();
    await search.fill("");
    await expect(cards).toHaveCount(BUILTIN_TOOL_COUNT);
  });

  const playground = page.getByRole("form", { name: "Run a tool" });
  const editor = playground.getByLabel("Arguments (JSON)");
  const result = page.getByTestId("tool-result");
  let testCalls = 0;
  page.on("request", (request) => {
    if (request.url().includes("tools.test")) testCalls += 1;
  });

  await test.step("the playground runs the calculator and shows its JSON result and duration", async () => {
    await page.getByRole("button", { name: "Try calculator" }).click();
    await expect(playground.getByLabel("Tool", { exact: true })).toHaveValue("calculator");
    // The editor starts with the required fields.
    await expect(editor).toHaveValue('{\n  "expression": ""\n}');
    await editor.fill('{"expression": "2^10 + sqrt(16)"}');
    await playground.getByRole("button", { name: "Run" }).click();
    await expect(result).toContainText('"result": 1028');
    await expect(result).toContainText(/calculator · \d+ ms/);
    await expect(result).not.toHaveAttribute("data-error");
    expect(testCalls).toBe(1);
  });

  await test.step("text that is not JSON is refused before any request", async () => {
    await editor.fill('{"expression": 2^10');
    await playground.getByRole("button", { name: "Run" }).click();
    await expect(playground.getByRole("alert")).toContainText("The arguments are not valid JSON");
    await expect(editor).toHaveAttribute("aria-invalid", "true");
    await expect(result).toHaveCount(0);
    expect(testCalls).toBe(1);
  });

  await test.step("a tool's own error shows as an error", async () => {
    await editor.fill('{"expression": "1/0"}');
    await expect(editor).not.toHaveAttribute("aria-invalid");
    await playground.getByRole("button", { name: "Run" }).click();
    await expect(result).toHaveAttribute("data-error", "true");
    await expect(result).toContainText("Tool error");
    await expect(result).toContainText("calculator failed");
    expect(testCalls).toBe(2);
  });

  await test.step("an agent's call that needs approval appears in the queue live, and leaves it once rejected", async () => {
    const projectId = await currentProjectId(page);
    // The page's own cookies; a cookie-authenticated write must come from the dashboard's origin.
    const created = await page.request.post("/api/trpc/agents.create", {
      headers: { origin: baseURL ?? "" },
      data: {
        json: {
          projectId,
          name: agentName,
          role: "a careful assistant",
          model: { provider: "local", model: "local-echo" },
          approvalTools: ["memory_store"],
        },
      },
    });
    expect(created.ok(), await created.text()).toBe(true);
    const agentId = ((await created.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;
    const chat = await page.request.post("/api/trpc/agents.chat", {
      headers: { origin: baseURL ?? "" },
      data: { json: { projectId, agentId, content: "remember that the tools page works" } },
    });
    expect(chat.ok(), await chat.text()).toBe(true);
    expect(((await chat.json()) as { result: { data: { json: { stop: string } } } }).result.data.json.stop).toBe("approval_required");

    // No reload: the approvals.changed event brings it in.
    const waiting = page.getByTestId("pending-approval").filter({ hasText: agentName });
    await expect(waiting).toHaveCount(1);
    await expect(waiting).toContainText("memory_store");
    await expect(waiting).toContainText('"fact": "the tools page works"');
    await expect(waiting.getByRole("link", { name: agentName })).toHaveAttribute("href", `/agents/${agentId}`);
    await page.screenshot({ path: path.join(screenshotsDir, "tools.png"), fullPage: true });

    await waiting.getByLabel("Reason (optional)").fill("not needed in this test");
    await waiting.getByRole("button", { name: "Reject" }).click();
    await expect(waiting).toHaveCount(0);
    const decision = page.getByTestId("decision-row").filter({ hasText: agentName });
    await expect(decision).toContainText("Rejected");
    await expect(decision).toContainText("not needed in this test");
    // The chat carried on: the agent was told of the rejection.
    await expect(page.getByText("The agent carries on in its chat…")).toHaveCount(0);
  });

  await expect(alertsOf(page)).toHaveCount(0);
  expect(problems).toEqual([]);
});
