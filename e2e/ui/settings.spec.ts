/** Project settings: API keys are write-only (masked after saving, nowhere in the page), defaults persist, the project can be renamed. */
import path from "node:path";
import { screenshotsDir } from "../support/paths";
import { expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

test("an API key shows only masked after saving and after a reload, and can be removed", async ({ page }) => {
  test.slow();
  const problems = collectPageProblems(page);
  const apiKey = `sk-ant-e2e-${uniqueSuffix()}${uniqueSuffix()}-wxyz`;
  await page.goto("/settings");
  const anthropic = page.getByRole("form", { name: "Anthropic" });

  const keyInput = anthropic.getByLabel("Anthropic API key");
  await expect(keyInput).toHaveAttribute("type", "password");
  await keyInput.fill(apiKey);
  await anthropic.getByRole("button", { name: "Save key" }).click();

  await expect(anthropic.getByRole("status")).toHaveText("Anthropic key saved.");
  await expect(anthropic.getByTestId("anthropic-key-masked")).toHaveText("••••••••wxyz");
  await expect(keyInput).toHaveValue("");

  await page.reload();
  await expect(anthropic.getByTestId("anthropic-key-masked")).toHaveText("••••••••wxyz");
  await expect(keyInput).toHaveValue("");
  expect(await page.content()).not.toContain(apiKey);
  await page.screenshot({ path: path.join(screenshotsDir, "settings.png"), fullPage: true });

  await anthropic.getByRole("button", { name: "Remove the Anthropic key" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Remove key" }).click();
  await expect(anthropic.getByRole("status")).toHaveText("Anthropic key removed.");
  await expect(anthropic.getByText("Not set")).toBeVisible();
  await expect(anthropic.getByTestId("anthropic-key-masked")).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("model defaults and the Ollama URL are saved, and a bad URL is explained", async ({ page }) => {
  const problems = collectPageProblems(page);
  const model = `claude-e2e-${uniqueSuffix()}`;
  await page.goto("/settings");
  const defaults = page.getByRole("region", { name: "Models and endpoints" });

  await defaults.getByLabel("Ollama base URL").fill("ftp://models.local");
  await defaults.getByRole("button", { name: "Save" }).click();
  await expect(defaults.getByText("Use an http:// or https:// URL")).toBeVisible();

  await defaults.getByLabel("Ollama base URL").fill("http://127.0.0.1:11434");
  await defaults.getByLabel("Anthropic default model").fill(model);
  await defaults.getByRole("button", { name: "Save" }).click();
  await expect(defaults.getByRole("status")).toHaveText("Settings saved.");

  await page.reload();
  await expect(defaults.getByLabel("Ollama base URL")).toHaveValue("http://127.0.0.1:11434");
  await expect(defaults.getByLabel("Anthropic default model")).toHaveValue(model);
  expect(problems).toEqual([]);
});

test("renaming the project updates the switcher", async ({ page }) => {
  const problems = collectPageProblems(page);
  await page.goto("/settings");
  const project = page.getByRole("region", { name: "Project", exact: true });
  const nameInput = project.getByLabel("Project name");
  const originalName = await nameInput.inputValue();
  const newName = `Acme lab ${uniqueSuffix()}`;

  await nameInput.fill(newName);
  await project.getByRole("button", { name: "Rename" }).click();
  await expect(project.getByRole("status")).toHaveText("Project renamed.");
  const switcher = page.getByLabel("Project", { exact: true });
  await expect(switcher.locator("option:checked")).toHaveText(newName);

  // Back to the name the other journeys know it by.
  await nameInput.fill(originalName);
  await project.getByRole("button", { name: "Rename" }).click();
  await expect(switcher.locator("option:checked")).toHaveText(originalName);
  expect(problems).toEqual([]);
});
