/**
 * Schedules and notifications end to end, against the suite's real worker: the owner creates a
 * schedule in the form (a bad cron expression is refused as it is typed, the fix shows its reading
 * and the next fire times), uses "Run now" on its in-app notification, sees the bell's count go up
 * without a reload, finds the fire in the history and the notification on /notifications, and marks
 * it read, which takes the count back down.
 */
import path from "node:path";
import type { Page } from "@playwright/test";
import { screenshotsDir } from "../support/paths";
import { expect, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

/** The bell's unread count, from its accessible name ("Notifications, 3 unread"). */
async function unreadCount(page: Page): Promise<number> {
  const bell = page.getByTestId("notification-bell");
  await expect(bell).toHaveAttribute("aria-label", /Notifications, \d+ unread/);
  const label = (await bell.getAttribute("aria-label")) ?? "";
  return Number(label.match(/(\d+) unread/)?.[1]);
}

test("the owner creates a schedule, runs its notification now, sees the bell count it live, then reads it", async ({ page }) => {
  test.slow();
  // The preview refuses the invalid expression with a 400, as it should.
  const problems = collectPageProblems(page, { expectedFailures: [{ path: "/api/trpc/schedules.preview", status: 400 }] });
  const scheduleName = `Morning digest ${uniqueSuffix()}`;
  const title = `Standup in 5 minutes ${uniqueSuffix()}`;
  const form = page.getByRole("form", { name: "New schedule" });

  await test.step("the schedules page is in the sidebar", async () => {
    await page.goto("/");
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Schedules" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Schedules" })).toBeVisible();
    await page.getByRole("link", { name: "New schedule" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "New schedule" })).toBeVisible();
  });

  await test.step("an invalid cron expression is refused as it is typed; the fix shows its reading and next fire times", async () => {
    await form.getByLabel("Name", { exact: true }).fill(scheduleName);
    const cron = form.getByLabel("Cron expression");
    await cron.fill("61 9 * * *");
    await expect(form.getByTestId("cron-error")).toBeVisible();
    await expect(cron).toHaveAttribute("aria-invalid", "true");
    await cron.fill("30 9 * * 1-5");
    await expect(form.getByTestId("cron-error")).toHaveCount(0);
    await expect(form.getByTestId("cron-reading")).toHaveText("At 09:30 on Monday through Friday");
    await form.getByLabel("Time zone").fill("Europe/Berlin");
    const preview = page.getByRole("list", { name: "Next fire times" });
    await expect(preview.getByRole("listitem")).toHaveCount(5);
    // Europe/Berlin 09:30 is 07:30 or 08:30 UTC, depending on the season.
    await expect(preview.getByRole("listitem").first()).toContainText(/T0[78]:30:00Z/);
    await form.getByRole("button", { name: "Every hour" }).click();
    await expect(cron).toHaveValue("0 * * * *");
    await expect(form.getByTestId("cron-reading")).toHaveText("Every hour, on the hour");
    // Hourly, but at a minute half an hour away: on the hour, a tick during the test would add a fire
    // (and a notification) of its own beside the "Run now" one counted below.
    const minute = (new Date().getUTCMinutes() + 30) % 60;
    await cron.fill(`${minute} * * * *`);
    await expect(form.getByTestId("cron-error")).toHaveCount(0);
  });

  await test.step("an in-app notification for every member is saved as the action", async () => {
    await expect(form.getByLabel("Action")).toHaveValue("send_notification");
    await form.getByLabel("Title", { exact: true }).fill(title);
    await form.getByLabel("Text", { exact: true }).fill("Grab a coffee first.");
    await expect(form.getByLabel("In-app (the bell)")).toBeChecked();
    await page.screenshot({ path: path.join(screenshotsDir, "schedule-form.png"), fullPage: true });
    await form.getByRole("button", { name: "Create schedule" }).click();
    await expect(page).toHaveURL(/\/schedules\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 2, name: scheduleName })).toBeVisible();
    await expect(page.getByTestId("schedule-status")).toHaveText("Active");
    await expect(page.getByText("No fires yet")).toBeVisible();
  });

  const before = await unreadCount(page);

  await test.step("“Run now” fires it: the bell counts the notification and the history shows the fire, without a reload", async () => {
    await page.getByRole("button", { name: "Run now" }).click();
    await expect(page.getByTestId("toast").filter({ hasText: "Fired" })).toBeVisible();
    await expect(page.getByTestId("notification-bell")).toHaveAttribute("aria-label", `Notifications, ${before + 1} unread`, {
      timeout: 20_000,
    });
    const fire = page.getByRole("table", { name: "Fire history" }).getByTestId("fire-row");
    await expect(fire).toHaveCount(1);
    await expect(fire.getByTestId("fire-status")).toHaveText("Succeeded", { timeout: 20_000 });
    await expect(fire).toContainText("Run now");
    await page.screenshot({ path: path.join(screenshotsDir, "schedule-detail.png"), fullPage: true });
  });

  await test.step("the list shows it active with its next fire and its last fire's outcome", async () => {
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "Schedules" }).click();
    const row = page.getByTestId("schedule-row").filter({ hasText: scheduleName });
    await expect(row.getByTestId("schedule-status")).toHaveText("Active");
    await expect(row.getByTestId("fire-status")).toHaveText("Succeeded");
    await expect(row.getByTestId("schedule-next-fire")).toContainText(/in (less than a minute|\d+ min)/);
    await page.screenshot({ path: path.join(screenshotsDir, "schedules.png"), fullPage: true });
  });

  await test.step("the notification is on /notifications, unread; marking it read takes the count back down", async () => {
    await page.getByTestId("notification-bell").click();
    await expect(page.getByRole("heading", { level: 1, name: "Notifications" })).toBeVisible();
    const unread = page.getByRole("list", { name: "Unread notifications" });
    const item = unread.getByTestId("notification").filter({ hasText: title });
    await expect(item).toContainText("Grab a coffee first.");
    await page.screenshot({ path: path.join(screenshotsDir, "notifications.png"), fullPage: true });
    await item.getByRole("button", { name: `Mark as read: “${title}”` }).click();
    await expect(
      page.getByRole("list", { name: "Read notifications" }).getByTestId("notification").filter({ hasText: title }),
    ).toBeVisible();
    await expect(page.getByTestId("notification-bell")).toHaveAttribute("aria-label", `Notifications, ${before} unread`);
  });

  await test.step("its link leads back to the schedule", async () => {
    await page
      .getByRole("list", { name: "Read notifications" })
      .getByTestId("notification")
      .filter({ hasText: title })
      .getByRole("link", { name: "Open" })
      .click();
    await expect(page.getByRole("heading", { level: 2, name: scheduleName })).toBeVisible();
  });

  expect(problems).toEqual([]);
});
