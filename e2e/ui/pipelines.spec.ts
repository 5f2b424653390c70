/**
 * Pipelines end to end, in the browser against the real worker: a pipeline is drawn in the editor (a
 * transform, a condition, an approval and a last transform, connected by dragging and from the panel),
 * a validation problem shows on its node and goes once fixed, it is saved as version 1, run with an
 * input, followed live to the approval, approved from the run view, succeeds, and is rerun from its last
 * node, which reuses what came before. Then versions and conflicts, and the list's actions.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Locator, Page } from "@playwright/test";
import { screenshotsDir } from "../support/paths";
import { alertsOf, currentProjectId, expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

function flowNode(page: Page, nodeId: string): Locator {
  return page.getByTestId(`flow-node-${nodeId}`);
}

/** The element's box once it has stopped moving (the canvas pans and zooms to show a new node). */
async function settledBox(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  let previous = "";
  await expect
    .poll(
      async () => {
        const box = JSON.stringify(await locator.boundingBox());
        const isSettled = box === previous && box !== "null";
        previous = box;
        return isSettled;
      },
      { intervals: [50] },
    )
    .toBe(true);
  return JSON.parse(previous) as { x: number; y: number; width: number; height: number };
}

/** Drags a connection from one node's output handle to another's input, as a person does with the mouse. */
async function connectByDrag(page: Page, from: string, handle: string, to: string): Promise<void> {
  const edges = page.getByTestId("pipeline-canvas").locator(".react-flow__edge");
  const before = await edges.count();
  const start = await settledBox(page.getByTestId(`handle-${from}-${handle}`));
  const end = await settledBox(page.getByTestId(`handle-${to}-in`));
  await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
  await page.mouse.down();
  await page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 5 });
  await page.mouse.move(end.x + end.width / 2, end.y + end.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(edges).toHaveCount(before + 1);
}

test("a pipeline is drawn, validated on its nodes, saved, run live through an approval, and rerun from a node", async ({ page }) => {
  test.slow();
  const problems = collectPageProblems(page);
  const pipelineName = `Review flow ${uniqueSuffix()}`;
  const canvas = page.getByTestId("pipeline-canvas");
  const inspector = page.getByRole("complementary", { name: "Inspector" });

  await test.step("Pipelines and Runs are in the sidebar", async () => {
    await page.goto("/");
    const navigation = page.getByRole("navigation", { name: "Pages" });
    await expect(navigation.getByRole("link", { name: "Runs" })).toBeVisible();
    await navigation.getByRole("link", { name: "Pipelines" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Pipelines" })).toBeVisible();
    await page.getByRole("link", { name: "New pipeline" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "New pipeline" })).toBeVisible();
  });

  await test.step("a run input is declared", async () => {
    await page.getByRole("region", { name: "Name and description" }).getByLabel("Name", { exact: true }).fill(pipelineName);
    await inspector.getByRole("button", { name: "Add input" }).click();
    await inspector.getByLabel("Name", { exact: true }).fill("amount");
    await inspector.getByLabel("Type", { exact: true }).selectOption("number");
    await inspector.getByLabel("Required").check();
  });

  await test.step("a new transform shows its problem on the node and in the panel, until the expression is written", async () => {
    await page.getByRole("button", { name: "Add Transform node" }).click();
    const badge = flowNode(page, "transform_1").getByTestId("node-problems");
    await expect(badge).toHaveText(/^\d+ problems?$/);
    await expect(inspector.getByRole("list", { name: "Problems of transform_1" })).toContainText("Write an expression");
    await expect(page.getByRole("region", { name: "Problems" })).toContainText("transform_1");
    const expression = inspector.getByLabel("Expression", { exact: true });
    await expect(expression).toHaveAttribute("aria-invalid", "true");
    await page.screenshot({ path: path.join(screenshotsDir, "pipeline-editor-problem.png"), fullPage: true });
    await expression.fill("inputs.amount");
    await expect(badge).toHaveCount(0);
    await expect(expression).not.toHaveAttribute("aria-invalid");
  });

  await test.step("a condition and an approval are added and connected by dragging; a last transform from the panel", async () => {
    await page.getByRole("button", { name: "Add Condition node" }).click();
    await inspector.getByLabel("Expression", { exact: true }).fill("nodes.transform_1.output > `10`");
    await page.getByRole("button", { name: "Add Approval node" }).click();
    await inspector.getByLabel("Message to the approver").fill("Ship {{inputs.amount}} units?");
    await page.getByRole("button", { name: "Add Transform node" }).click();
    await inspector.getByLabel("Expression", { exact: true }).fill("nodes.approval_1.output.approved");

    await connectByDrag(page, "transform_1", "out", "condition_1");
    await connectByDrag(page, "condition_1", "true", "approval_1");
    await expect(canvas.locator(".react-flow__edge")).toHaveCount(2);
    await expect(canvas.getByText("true", { exact: true }).first()).toBeVisible();

    await flowNode(page, "approval_1").click();
    await expect(inspector.getByRole("region", { name: "Node approval_1" })).toBeVisible();
    await inspector.getByLabel("Connect to").selectOption("transform_2");
    await inspector.getByRole("button", { name: "Add edge" }).click();
    await expect(inspector.getByText("→ transform_2")).toBeVisible();
    await expect(canvas.locator(".react-flow__edge")).toHaveCount(3);
    await expect(page.getByTestId("definition-valid")).toBeVisible();
  });

  await test.step("saved, it becomes version 1 of a pipeline", async () => {
    await page.getByRole("button", { name: "Create pipeline" }).click();
    await expect(page.getByTestId("toast").filter({ hasText: `Created “${pipelineName}” (version 1)` })).toBeVisible();
    await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 1, name: pipelineName })).toBeVisible();
    await expect(page.getByTestId("pipeline-version")).toHaveText("Version 1");
    // Positions were stored: the nodes come back where they were drawn, all four.
    await expect(canvas.locator(".react-flow__node")).toHaveCount(4);
    await page.screenshot({ path: path.join(screenshotsDir, "pipeline-editor.png"), fullPage: true });
  });

  const firstRunUrl = await test.step("run with an input, the nodes move live until the approval waits", async () => {
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Run ${pipelineName}` });
    await dialog.getByRole("button", { name: "Start run" }).click();
    await expect(dialog.getByText("amount is required")).toBeVisible();
    await dialog.getByLabel(/^amount/).fill("42");
    await dialog.getByRole("button", { name: "Start run" }).click();
    await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 1, name: /^Run [0-9a-f]{8}$/ })).toBeVisible();
    await expect(flowNode(page, "transform_1")).toHaveAttribute("data-status", "succeeded");
    await expect(flowNode(page, "condition_1")).toHaveAttribute("data-status", "succeeded");
    await expect(flowNode(page, "approval_1")).toHaveAttribute("data-status", "waiting");
    await expect(flowNode(page, "transform_2")).toHaveAttribute("data-status", "pending");
    await expect(page.getByTestId("run-status-badge")).toHaveText("Running");
    return page.url();
  });

  await test.step("the approval is approved in the run view and the run succeeds", async () => {
    await page.getByRole("button", { name: "Review approval_1" }).click();
    const decision = page.getByRole("group", { name: /Waiting for your decision on approval_1/ });
    await expect(decision).toContainText("Ship 42 units?");
    await page.screenshot({ path: path.join(screenshotsDir, "pipeline-run-waiting.png"), fullPage: true });
    await decision.getByLabel("Comment (optional)").fill("looks right");
    await decision.getByRole("button", { name: "Approve" }).click();
    await expect(flowNode(page, "approval_1")).toHaveAttribute("data-status", "succeeded");
    await expect(flowNode(page, "transform_2")).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("run-status-badge")).toHaveText("Succeeded");
    await expect(page.getByTestId("run-status")).toHaveText("succeeded");
    const nodeInspector = page.getByRole("complementary", { name: "Node inspector" });
    await expect(nodeInspector).toContainText('"comment": "looks right"');
    await flowNode(page, "transform_2").click();
    await expect(nodeInspector.getByRole("region", { name: "Node transform_2" })).toContainText("true");
    await page.screenshot({ path: path.join(screenshotsDir, "pipeline-run.png"), fullPage: true });
  });

  await test.step("rerun from the last node: a new run that reuses the earlier outputs and succeeds", async () => {
    const nodeInspector = page.getByRole("complementary", { name: "Node inspector" });
    await nodeInspector.getByRole("button", { name: "Rerun from this node" }).click();
    const dialog = page.getByRole("dialog", { name: "Rerun from transform_2" });
    await dialog.getByRole("button", { name: "Start rerun" }).click();
    await expect(page).not.toHaveURL(firstRunUrl);
    await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
    await expect(page.getByText(/rerun of [0-9a-f]{8} from transform_2/)).toBeVisible();
    await expect(page.getByTestId("run-status-badge")).toHaveText("Succeeded");
    await expect(flowNode(page, "approval_1")).toHaveAttribute("data-status", "succeeded");
    await flowNode(page, "approval_1").click();
    await expect(page.getByRole("complementary", { name: "Node inspector" })).toContainText("Reused from");
  });

  await test.step("the Runs page lists both runs of the pipeline", async () => {
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Runs" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Runs" })).toBeVisible();
    await page.getByLabel("Filter by pipeline").selectOption({ label: pipelineName });
    await expect(page.getByTestId("run-row")).toHaveCount(2);
    await expect(page.getByTestId("run-row").filter({ hasText: "rerun" })).toHaveCount(1);
    await page.screenshot({ path: path.join(screenshotsDir, "pipeline-runs.png"), fullPage: true });
  });

  await expect(alertsOf(page)).toHaveCount(0);
  expect(problems).toEqual([]);
});

/** Creates a pipeline through the API, as a script would; returns its id. */
async function createPipeline(page: Page, baseURL: string | undefined, name: string, definition: unknown): Promise<string> {
  const projectId = await currentProjectId(page);
  const response = await page.request.post("/api/trpc/pipelines.create", {
    headers: { origin: baseURL ?? "" },
    data: { json: { projectId, name, definition } },
  });
  expect(response.ok(), await response.text()).toBe(true);
  return ((await response.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;
}

const oneStep = {
  inputs: [{ name: "who", type: "string", required: true }],
  nodes: [{ id: "greet", type: "transform", config: { expression: "inputs.who" }, position: { x: 0, y: 0 } }],
  edges: [],
};

test("each save is a version; a save made meanwhile is a conflict; older versions open read-only", async ({ page, baseURL, browser }) => {
  test.slow();
  const problems = collectPageProblems(page);
  const name = `Versioned ${uniqueSuffix()}`;
  await page.goto("/pipelines");
  const pipelineId = await createPipeline(page, baseURL, name, oneStep);

  await page.goto(`/pipelines/${pipelineId}`);
  await expect(page.getByTestId("pipeline-version")).toHaveText("Version 1");
  // Another browser of the same person. (A second tab would share this browser's six connections per
  // host with the dashboard's live event streams, three per page, and its save would wait for a free one.)
  const otherContext = await browser.newContext({ storageState: await page.context().storageState() });
  const other = await otherContext.newPage();
  await other.goto(`/pipelines/${pipelineId}`);
  await other.getByRole("region", { name: "Name and description" }).getByLabel("Description").fill("saved from another browser");
  await other.getByRole("button", { name: "Save version" }).click();
  await expect(other.getByTestId("pipeline-version")).toHaveText("Version 2");
  await otherContext.close();

  // The first tab hears of version 2 from the event stream, before it even tries to save.
  await expect(page.getByText("Version 2 was saved meanwhile (you started from 1)")).toBeVisible();
  await page.getByRole("region", { name: "Name and description" }).getByLabel("Description").fill("my own change");
  await page.getByRole("button", { name: "Save version" }).click();
  const conflict = alertsOf(page).filter({ hasText: "Version 2 was saved while you edited" });
  await expect(conflict).toBeVisible();
  await expect(page.getByTestId("pipeline-version")).toHaveText("Version 1");
  await page.screenshot({ path: path.join(screenshotsDir, "pipeline-conflict.png"), fullPage: true });
  await conflict.getByRole("button", { name: "Save mine as version 3" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Saved as version 3" })).toBeVisible();
  await expect(page.getByTestId("pipeline-version")).toHaveText("Version 3");
  await expect(alertsOf(page)).toHaveCount(0);

  const history = page.getByRole("region", { name: "Version history" });
  await expect(history.getByRole("listitem")).toHaveCount(3);
  await history.getByRole("link", { name: "View version 1" }).click();
  await expect(page).toHaveURL(`/pipelines/${pipelineId}?version=1`);
  await expect(page.getByText("Version 1, read-only")).toBeVisible();
  await expect(page.getByTestId("pipeline-version")).toHaveText("Version 1 of 3");
  await expect(page.getByRole("button", { name: "Save version" })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Add a node" })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Name and description" }).getByLabel("Description")).toBeDisabled();
  await flowNode(page, "greet").click();
  await expect(page.getByRole("complementary", { name: "Inspector" }).getByLabel("Expression", { exact: true })).toBeDisabled();

  await page.getByRole("link", { name: "Edit from this version" }).click();
  await expect(page.getByText("Editing from version 1; saving makes it the newest version.")).toBeVisible();
  await page.getByRole("button", { name: "Save version" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Saved as version 4" })).toBeVisible();
  await expect(page).toHaveURL(`/pipelines/${pipelineId}`);
  await expect(page.getByTestId("pipeline-version")).toHaveText("Version 4");
  expect(problems).toEqual([]);
});

test("from the list a pipeline is exported, imported, duplicated, run with its inputs, archived and restored", async ({
  page,
  baseURL,
}) => {
  test.slow();
  const problems = collectPageProblems(page);
  const name = `Listed ${uniqueSuffix()}`;
  await page.goto("/pipelines");
  await createPipeline(page, baseURL, name, oneStep);
  await page.reload();
  await page.getByLabel("Search pipelines").fill(name);
  const row = page.getByRole("row", { name: new RegExp(`^${name} v1`) });
  await expect(page.getByTestId("list-status")).toHaveText(`1 pipeline matching “${name}”`);

  const downloading = page.waitForEvent("download");
  await row.getByRole("button", { name: `Export ${name}` }).click();
  const download = await downloading;
  const exportPath = test.info().outputPath("export.json");
  await download.saveAs(exportPath);
  const exported = JSON.parse(await readFile(exportPath, "utf8")) as { format: string; name: string };
  expect(exported).toMatchObject({ format: "gathering.pipeline", formatVersion: 1, name });

  await page.getByRole("button", { name: "Import", exact: true }).click();
  const importDialog = page.getByRole("dialog", { name: "Import a pipeline" });
  // What only the server can know (the agent is not in this project) comes back as problems by node.
  const ghost = {
    format: "gathering.pipeline",
    formatVersion: 1,
    name: `${name} ghost`,
    definition: { nodes: [{ id: "ask_ghost", type: "agent", config: { agentId: "00000000-0000-4000-8000-000000000000", prompt: "hi" } }] },
  };
  await importDialog.getByLabel("Export JSON").fill(JSON.stringify(ghost));
  await importDialog.getByRole("button", { name: "Import", exact: true }).click();
  const serverProblems = importDialog.getByRole("region", { name: "The export’s definition has problems" });
  await expect(serverProblems.getByTestId("problem")).toHaveCount(1);
  await expect(serverProblems).toContainText("ask_ghost");
  await expect(serverProblems).toContainText("No such agent in this project");
  await importDialog.getByLabel("Export file").setInputFiles(exportPath);
  await expect(importDialog.getByLabel("Export JSON")).toHaveValue(/gathering\.pipeline/);
  await importDialog.getByRole("button", { name: "Import", exact: true }).click();
  // The export's own name is taken: the server says so, and another name goes through.
  await expect(importDialog.getByRole("alert")).toContainText("already exists");
  await importDialog.getByLabel("Name (optional)").fill(`${name} imported`);
  await importDialog.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: `${name} imported` })).toBeVisible();
  await expect(flowNode(page, "greet")).toBeVisible();

  await page.getByRole("link", { name: "All pipelines" }).click();
  await page.getByLabel("Search pipelines").fill(name);
  await expect(page.getByTestId("list-status")).toHaveText(`2 pipelines matching “${name}”`);
  await row.getByRole("button", { name: `Duplicate ${name}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: `${name} (copy)` })).toBeVisible();

  await page.getByRole("link", { name: "All pipelines" }).click();
  await page.getByLabel("Search pipelines").fill(name);
  await expect(page.getByTestId("list-status")).toHaveText(`3 pipelines matching “${name}”`);
  await page.screenshot({ path: path.join(screenshotsDir, "pipelines-list.png"), fullPage: true });
  await row.getByRole("button", { name: `Run ${name}` }).click();
  const runDialog = page.getByRole("dialog", { name: `Run ${name}` });
  await runDialog.getByLabel(/^who/).fill("Ada");
  await runDialog.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByTestId("run-status-badge")).toHaveText("Succeeded");
  await expect(page.getByRole("region", { name: "Run summary" })).toContainText('"greet": "Ada"');

  await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Pipelines" }).click();
  await page.getByLabel("Search pipelines").fill(name);
  // The list says when it answers this search, so the rows counted are the search's, not an earlier page's.
  await expect(page.getByTestId("list-status")).toHaveText(`3 pipelines matching “${name}”`);
  await row.getByRole("button", { name: `Archive ${name}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Archive pipeline" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: `Archived “${name}”` })).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(2);
  await page.getByLabel("Show archived").check();
  await expect(page.getByTestId("list-status")).toHaveText(`3 pipelines matching “${name}”`);
  await expect(page.locator("tbody tr")).toHaveCount(3);
  const archivedRow = page.getByRole("row", { name: new RegExp(`^${name} Archived`) });
  await archivedRow.getByRole("button", { name: `Restore ${name}` }).click();
  await expect(page.getByTestId("toast").filter({ hasText: `Restored “${name}”` })).toBeVisible();
  await expect(alertsOf(page)).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("by keyboard a node opens in the panel; an error branch gets its own edge, checked against the policy; a run is cancelled", async ({
  page,
  baseURL,
}) => {
  test.slow();
  const problems = collectPageProblems(page);
  const name = `Branching ${uniqueSuffix()}`;
  await page.goto("/pipelines");
  const pipelineId = await createPipeline(page, baseURL, name, {
    nodes: [
      { id: "wait", type: "delay", config: { ms: 60_000 } },
      { id: "after", type: "transform", config: { expression: "`1`" } },
    ],
    edges: [{ from: "wait", to: "after" }],
  });
  await page.goto(`/pipelines/${pipelineId}`);
  const inspector = page.getByRole("complementary", { name: "Inspector" });

  await page.locator('.react-flow__node[data-id="wait"]').focus();
  await page.keyboard.press("Enter");
  await expect(inspector.getByRole("region", { name: "Node wait" })).toBeVisible();
  await expect(page.getByTestId("handle-wait-error")).toHaveCount(0);
  await inspector.getByLabel("On error").selectOption("branch");
  await expect(page.getByTestId("handle-wait-error")).toBeVisible();

  await page.getByRole("button", { name: "Add Transform node" }).click();
  await inspector.getByLabel("Expression", { exact: true }).fill("nodes.wait.output");
  await connectByDrag(page, "wait", "error", "transform_1");
  await expect(page.getByTestId("pipeline-canvas").getByText("error", { exact: true }).first()).toBeVisible();
  await expect(page.getByTestId("definition-valid")).toBeVisible();

  // An error edge needs the policy that follows it: back to "fail", the node says so.
  await flowNode(page, "wait").click();
  await inspector.getByLabel("On error").selectOption("fail");
  await expect(flowNode(page, "wait").getByTestId("node-problems")).toBeVisible();
  await expect(inspector.getByRole("list", { name: "Problems of wait" })).toContainText('"wait" needs onError: "branch" for an error edge');
  await inspector.getByLabel("On error").selectOption("branch");
  await expect(flowNode(page, "wait").getByTestId("node-problems")).toHaveCount(0);
  await page.getByRole("button", { name: "Save version" }).click();
  await expect(page.getByTestId("pipeline-version")).toHaveText("Version 2");

  await page.getByRole("button", { name: "Run", exact: true }).click();
  await page
    .getByRole("dialog", { name: `Run ${name}` })
    .getByRole("button", { name: "Start run" })
    .click();
  await expect(flowNode(page, "wait")).toHaveAttribute("data-status", "waiting");
  await page.getByRole("button", { name: "Cancel run" }).click();
  await page.getByRole("button", { name: "Cancel the run" }).click();
  await expect(page.getByTestId("run-status-badge")).toHaveText("Cancelled");
  await expect(flowNode(page, "after")).toHaveAttribute("data-status", "cancelled");
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
  await page.screenshot({ path: path.join(screenshotsDir, "pipeline-run-cancelled.png"), fullPage: true });
  expect(problems).toEqual([]);
});

test("what only the server can check (an agent archived meanwhile) is shown on the node, like the editor's own problems", async ({
  page,
  baseURL,
}) => {
  test.slow();
  const problems = collectPageProblems(page);
  const suffix = uniqueSuffix();
  await page.goto("/pipelines");
  const projectId = await currentProjectId(page);
  const call = async (procedure: string, json: unknown) => {
    const response = await page.request.post(`/api/trpc/${procedure}`, { headers: { origin: baseURL ?? "" }, data: { json } });
    expect(response.ok(), await response.text()).toBe(true);
    return ((await response.json()) as { result: { data: { json: { id: string } } } }).result.data.json;
  };
  const agent = await call("agents.create", {
    projectId,
    name: `Writer ${suffix}`,
    role: "writes",
    model: { provider: "local", model: "local-echo" },
  });
  const pipelineId = await createPipeline(page, baseURL, `Writes ${suffix}`, {
    nodes: [{ id: "write", type: "agent", config: { agentId: agent.id, prompt: "Write a haiku" } }],
  });
  await call("agents.archive", { projectId, agentId: agent.id });

  await page.goto(`/pipelines/${pipelineId}`);
  await expect(page.getByTestId("definition-valid")).toBeVisible();
  await page.getByRole("region", { name: "Name and description" }).getByLabel("Description").fill("one more version");
  await page.getByRole("button", { name: "Save version" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Not saved: the server found 1 problem" })).toBeVisible();
  await expect(flowNode(page, "write").getByTestId("node-problems")).toHaveText("1 problem");
  await expect(page.getByRole("region", { name: "Problems" })).toContainText("No such agent in this project (or it is archived)");
  await page.getByRole("region", { name: "Problems" }).getByRole("button", { name: "write" }).click();
  await expect(page.getByRole("complementary", { name: "Inspector" }).getByRole("list", { name: "Problems of write" })).toContainText(
    "No such agent in this project",
  );
  await expect(page.getByTestId("pipeline-version")).toHaveText("Version 1");
  expect(problems).toEqual([]);
});
