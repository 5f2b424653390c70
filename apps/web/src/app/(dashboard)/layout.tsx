/** Every dashboard page needs a signed-in user; others go to the sign-in page. The shell gets the account up front. */

import { serverEnv } from "@gathering/server";
import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { type Account, AppShell } from "~/components/app-shell";
import { createServerApi } from "~/server/session";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // Test hook: lets the e2e suite see what a page that fails on the server looks like, and its retry.
  if (serverEnv().GATHERING_TEST_HOOKS === "1" && (await headers()).get("x-gathering-test-fail") === "render") {
    throw new Error("test hook: the dashboard layout failed on purpose");
  }
  const { caller, api } = await createServerApi();
  if (!caller) redirect("/sign-in");
  // A valid cookie for an account that no longer exists is as good as none.
  const account: Account | null = await api.auth.me().catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "UNAUTHORIZED") return null;
    throw error;
  });
  if (!account) redirect("/sign-in");
  return <AppShell account={account}>{children}</AppShell>;
}
