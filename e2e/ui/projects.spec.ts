/** Projects in the sidebar: creating one switches to it, the choice survives a reload, and switching back works. */
import { currentProjectName, expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

test("a new project becomes the current one, stays chosen after a reload, and the switcher goes back", async ({ page }) => {
  test.slow();
  const problems = collectPageProblems(page);
  await page.goto("/");
  const firstProject = await currentProjectName(page);
  const projectName = `Research ${uniqueSuffix()}`;

  await page.getByRole("button", { name: "New project" }).click();
  await page.getByLabel("Project name").fill(projectName);
  await page.getByRole("button", { name: "Create project" }).click();

  await expect(page.getByTestId("project-name")).toHaveText(projectName);
  expect(await currentProjectName(page)).toBe(projectName);
  await expect(page.getByRole("complementary", { name: "Main navigation" }).getByText("Your role: Owner")).toBeVisible();

  await page.reload();
  await expect(page.getByTestId("project-name")).toHaveText(projectName);

  await page.getByRole("link", { name: "Members" }).click();
  await expect(page.getByRole("heading", { level: 2, name: `People in ${projectName}` })).toBeVisible();
  await expect(page.getByRole("table").first().getByRole("row")).toHaveCount(2);

  await page.getByLabel("Project", { exact: true }).selectOption({ label: firstProject });
  await expect(page.getByRole("heading", { level: 2, name: `People in ${firstProject}` })).toBeVisible();
  expect(problems).toEqual([]);
});
