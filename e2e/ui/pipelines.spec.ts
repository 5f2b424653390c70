/**
 * Pipelines end to end, in the browser against the real worker: a pipeline is drawn in the editor (a
 * transform, a condition, an approval and a last transform, connected by dragging and from the panel),
 * a validation problem shows on its node and goes once fixed, it is saved as version 1, run with an
 * input, followed live to the approval, approved from the run view, succeeds, and is rerun from its last
 * node, which reuses what came before.
 */
import path from "node:path";
import type { Locator, Page } from "@playwright/test";
import { screenshotsDir } from "../support/paths";
import { alertsOf, expect, test, uniqueSuffix } from "./account";
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
