/** Agents end to end: a new user defines an agent on the offline model, chats with it, sees it remember across chats, archives it. */
import path from "node:path";
import { screenshotsDir } from "../support/paths";
import { alertsOf, currentProjectId, expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

// Sign-up is open only on a fresh installation (later people need an invitation), so this runs as the
// owner, who signs up when the installation is new; other specs may have made agents, hence the search.
test("a user creates an offline agent, chats, sees a memory kept and recalled, and archives the agent", async ({ page }) => {
  test.slow();
  const problems = collectPageProblems(page);
  const agentName = `Helper ${uniqueSuffix()}`;

  await test.step("the agents page is in the sidebar", async () => {
    await page.goto("/");
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Agents" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Agents" })).toBeVisible();
  });

  await test.step("the form refuses an empty name, by field, then creates the agent on the offline model", async () => {
    await page.getByRole("link", { name: "New agent" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "New agent" })).toBeVisible();
    await expect(page.getByLabel("Provider", { exact: true })).toHaveValue("local");
    await expect(page.getByLabel("Model name", { exact: true })).toHaveValue("local-echo");
    await expect(page.getByText("Offline demo model (deterministic, no API key)")).toBeVisible();
    await page.getByLabel("Role", { exact: true }).fill("Friendly assistant");
    await page.getByRole("button", { name: "Create agent" }).click();
    const name = page.getByLabel("Name", { exact: true });
    await expect(name).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText("Give the agent a name")).toBeVisible();
    await expect(page).toHaveURL("/agents/new");

    await name.fill(agentName);
    await page.getByRole("button", { name: "Create agent" }).click();
    await expect(page.getByRole("heading", { level: 1, name: agentName })).toBeVisible();
    await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}$/);
  });

  const composer = page.getByLabel("Message", { exact: true });
  const transcript = page.getByRole("log", { name: "Transcript" });

  await test.step("a chat: Enter sends, the reply shows its model, tokens and cost", async () => {
    await composer.fill("Hello there");
    await composer.press("Enter");
    const reply = transcript.getByTestId("assistant-message").last();
    await expect(reply).toContainText(/offline demo model/i);
    await expect(reply).toContainText('You said: "Hello there"');
    await expect(reply).toContainText("local:local-echo");
    await expect(reply).toContainText(/\d+ in \/ \d+ out tokens/);
    await expect(reply).toContainText("$0.00");
    await expect(composer).toHaveValue("");
  });

  await test.step("asked to remember, it stores a memory that the Memory tab shows", async () => {
    await composer.fill("remember that my favourite colour is teal");
    await composer.press("Enter");
    await expect(transcript.getByText("memory_store").first()).toBeVisible();
    await expect(page.getByRole("button", { name: "Send" })).toBeVisible();
    await page.getByRole("tab", { name: "Memory" }).click();
    await expect(page.getByRole("list", { name: "Memories" })).toContainText("my favourite colour is teal");
    await page.getByRole("tab", { name: "Chat" }).click();
  });

  await test.step("a new chat recalls the fact", async () => {
    await page.getByRole("button", { name: "New chat" }).click();
    await expect(transcript.getByTestId("assistant-message")).toHaveCount(0);
    await composer.fill("What is my favourite colour?");
    await composer.press("Enter");
    const reply = transcript.getByTestId("assistant-message").last();
    await expect(reply).toContainText(/I remember: .*teal/);
    // Two chats now: the first (where it also remembered) and this one.
    await expect(page.getByRole("navigation", { name: "Chat sessions" }).getByRole("listitem")).toHaveCount(2);
    await page.screenshot({ path: path.join(screenshotsDir, "agent-chat.png"), fullPage: true });
  });

  await test.step("archived from the list, the agent leaves it and comes back with “Show archived”", async () => {
    await page.getByRole("link", { name: "All agents" }).click();
    await page.getByLabel("Search agents").fill(agentName);
    // The list says when it answers this search (not an earlier, unfiltered page that happens to hold one row).
    await expect(page.getByTestId("list-status")).toHaveText(`1 agent matching “${agentName}”`);
    const row = page.getByRole("row", { name: new RegExp(agentName) });
    await expect(row).toBeVisible();
    await page.screenshot({ path: path.join(screenshotsDir, "agents-list.png"), fullPage: true });
    await row.getByRole("button", { name: `Archive ${agentName}` }).click();
    const question = page.getByRole("alertdialog", { name: `Archive ${agentName}` });
    await expect(question).toContainText("It stops answering until restored.");
    await question.getByRole("button", { name: "Archive agent" }).click();
    await expect(question).toHaveCount(0);
    await expect(page.getByTestId("toast").filter({ hasText: "Agent archived" })).toBeVisible();
    await expect(page.getByText("No agents match")).toBeVisible();
    await page.getByLabel("Show archived").check();
    await expect(row).toContainText("Archived");
    await expect(row.getByRole("button", { name: `Restore ${agentName}` })).toBeVisible();
  });

  await expect(alertsOf(page)).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("a tool call that needs approval waits in the chat, and runs once the owner approves it", async ({ page, baseURL }) => {
  test.slow();
  const problems = collectPageProblems(page);
  const agentName = `Gatekeeper ${uniqueSuffix()}`;
  await page.goto("/agents");
  const projectId = await currentProjectId(page);
  // Made through the API as a script would, with memory_store behind an approval.
  const response = await page.request.post("/api/trpc/agents.create", {
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
  expect(response.ok(), await response.text()).toBe(true);
  const agentId = ((await response.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;
  await page.goto(`/agents/${agentId}`);

  await page.getByLabel("Message", { exact: true }).fill("remember that the door code is 4321");
  await page.getByRole("button", { name: "Send" }).click();
  const approvals = page.getByRole("region", { name: "Waiting for approval" });
  await expect(approvals).toContainText("memory_store waits for your approval");
  await expect(approvals).toContainText('"fact": "the door code is 4321"');
  await page.getByRole("tab", { name: "Memory" }).click();
  await expect(page.getByRole("list", { name: "Memories" })).toHaveCount(0);
  await page.getByRole("tab", { name: "Chat" }).click();

  await approvals.getByRole("button", { name: "Approve" }).click();
  const transcript = page.getByRole("log", { name: "Transcript" });
  await expect(transcript).toContainText("The tool answered (memory_store)");
  await expect(approvals).toHaveCount(0);
  await page.screenshot({ path: path.join(screenshotsDir, "agent-approval.png"), fullPage: true });
  await page.getByRole("tab", { name: "Memory" }).click();
  await expect(page.getByRole("list", { name: "Memories" })).toContainText("the door code is 4321");
  await expect(alertsOf(page)).toHaveCount(0);
  expect(problems).toEqual([]);
});
