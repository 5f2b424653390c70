/** Inviting people: a link made in the dashboard, opened in another browser, and the new member in the first user's list. */
import path from "node:path";
import type { Page } from "@playwright/test";
import { screenshotsDir } from "../support/paths";
import {
  alertsOf,
  currentProjectName,
  expect,
  fillSignUp,
  newAccount,
  openSignedOutPage,
  overviewHeading,
  type TestAccount,
  test,
} from "./account";
import { collectPageProblems } from "./page-problems";

/** Makes an invitation on /members of the current project and returns the link the page shows once. */
async function createInvitationLink(page: Page, email: string, roleLabel: string): Promise<string> {
  await page.goto("/members");
  const invite = page.getByRole("region", { name: "Invite someone" });
  await invite.getByLabel("Email address").fill(email);
  await invite.getByLabel("Role").selectOption({ label: roleLabel });
  await invite.getByRole("button", { name: "Create invitation link" }).click();
  await expect(invite.getByText(`Invitation link for ${email} (${roleLabel})`)).toBeVisible();
  const link = await invite.getByLabel("Invitation link").inputValue();
  expect(link).toMatch(/^http:\/\/[^/]+\/invite\/inv_[A-Za-z0-9_-]+$/);
  return link;
}

async function signUpFromLink(page: Page, link: string, account: TestAccount): Promise<void> {
  await page.goto(link);
  await expect(page.getByRole("heading", { level: 1, name: "You are invited" })).toBeVisible();
  await page.getByRole("link", { name: "Create an account and join" }).click();
  await expect(page).toHaveURL(/\/sign-up\?invitation=inv_/);
  await expect(page.getByText("You are joining a project by invitation.")).toBeVisible();
  await fillSignUp(page, account);
  await expect(overviewHeading(page)).toBeVisible();
}

test("an invited person signs up from the link in another browser and shows up in the members list", async ({ page, browser }) => {
  // Several page loads, a second browser and bcrypt-priced sign-ups: more than the default budget on a busy machine.
  test.slow();
  const problems = collectPageProblems(page);
  const invitee = newAccount("Invited Member");
  await page.goto("/");
  const projectName = await currentProjectName(page);

  const link = await createInvitationLink(page, invitee.email, "Member");
  await expect(page.getByRole("button", { name: "Copy", exact: true })).toBeVisible();
  const pending = page.getByRole("region", { name: "Pending invitations" });
  await expect(pending.getByRole("row", { name: new RegExp(invitee.email) })).toContainText("Member");

  const second = await openSignedOutPage(browser);
  try {
    await test.step("the invitee opens the link, signs up and lands in the project", async () => {
      await signUpFromLink(second.page, link, invitee);
      await expect(second.page.getByTestId("project-name")).toHaveText(projectName);
      await expect(second.page.getByText("Your role: Member").first()).toBeVisible();
    });

    await test.step("as a member, the invitee sees why the audit log is closed to them", async () => {
      await second.page.goto("/audit");
      const refusal = alertsOf(second.page);
      await expect(refusal).toContainText("You do not have access to this");
      await expect(refusal).toContainText("This needs the admin role or higher in the project");
      await expect(second.page.getByRole("button", { name: "Verify chain" })).toHaveCount(0);
    });

    await test.step("the link works only once", async () => {
      await second.page.goto(link);
      await second.page.getByRole("button", { name: "Join the project" }).click();
      await expect(alertsOf(second.page)).toContainText("This invitation link is invalid, used or expired");
    });
  } finally {
    await second.context.close();
  }

  await page.reload();
  const row = page.getByRole("row", { name: new RegExp(invitee.email) }).filter({ has: page.getByRole("combobox") });
  await expect(row).toContainText(invitee.name);
  await expect(row.getByRole("combobox", { name: `Role of ${invitee.name}` })).toHaveValue("member");
  await expect(pending.getByRole("row", { name: new RegExp(invitee.email) })).toHaveCount(0);
  await page.screenshot({ path: path.join(screenshotsDir, "members.png"), fullPage: true });

  await test.step("the owner changes the new member's role, then removes them after confirming", async () => {
    await row.getByRole("combobox", { name: `Role of ${invitee.name}` }).selectOption("viewer");
    await page.reload();
    await expect(page.getByRole("combobox", { name: `Role of ${invitee.name}` })).toHaveValue("viewer");

    await page.getByRole("button", { name: `Remove ${invitee.name}` }).click();
    await expect(page.getByText(`Remove ${invitee.name} from ${projectName}?`)).toBeVisible();
    await page.getByRole("button", { name: "Remove member" }).click();
    await expect(page.getByRole("row", { name: new RegExp(invitee.email) })).toHaveCount(0);
  });
  expect(problems).toEqual([]);
});

test("a signed-in user joins another project from a link with one click", async ({ page, browser }) => {
  test.slow();
  const invitee = newAccount("Second Member");
  await page.goto("/");
  const firstProject = await currentProjectName(page);
  const firstLink = await createInvitationLink(page, invitee.email, "Viewer");

  // A second project of the owner's, to invite the same person into.
  await page.goto("/");
  const otherProject = `Partners ${invitee.name.split(" ").at(-1)}`;
  await page.getByRole("button", { name: "New project" }).click();
  await page.getByLabel("Project name").fill(otherProject);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByTestId("project-name")).toHaveText(otherProject);
  const secondLink = await createInvitationLink(page, invitee.email, "Admin");

  const second = await openSignedOutPage(browser);
  try {
    const problems = collectPageProblems(second.page);
    await signUpFromLink(second.page, firstLink, invitee);
    await expect(second.page.getByTestId("project-name")).toHaveText(firstProject);

    await second.page.goto(secondLink);
    await expect(second.page.getByText(`You are signed in as ${invitee.email}`)).toBeVisible();
    await second.page.getByRole("button", { name: "Join the project" }).click();

    await expect(overviewHeading(second.page)).toBeVisible();
    await expect(second.page.getByTestId("project-name")).toHaveText(otherProject);
    await expect(second.page.getByText("Your role: Admin").first()).toBeVisible();
    const switcher = second.page.getByLabel("Project", { exact: true });
    await expect(switcher.locator("option")).toHaveText([firstProject, otherProject]);
    expect(problems).toEqual([]);
  } finally {
    await second.context.close();
  }
});

test("a pending invitation can be cancelled, and its link stops working", async ({ page, browser }) => {
  test.slow();
  const invitee = newAccount("Cancelled Guest");
  const link = await createInvitationLink(page, invitee.email, "Member");
  const pending = page.getByRole("region", { name: "Pending invitations" });
  const row = pending.getByRole("row", { name: new RegExp(invitee.email) });
  await expect(row).toBeVisible();

  await row.getByRole("button", { name: `Cancel the invitation for ${invitee.email}` }).click();
  await expect(row).toHaveCount(0);

  const second = await openSignedOutPage(browser);
  try {
    await second.page.goto(link);
    await second.page.getByRole("link", { name: "Create an account and join" }).click();
    await fillSignUp(second.page, invitee);
    await expect(alertsOf(second.page)).toContainText("This invitation link is invalid, used or expired");
  } finally {
    await second.context.close();
  }
});
