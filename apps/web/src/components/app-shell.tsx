"use client";
/** The dashboard frame: brand, project switcher, navigation, worker indicator and user menu around every page. */
import type { RouterOutputs } from "@gathering/api";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { useTRPC } from "~/trpc/react";
import { CurrentProjectProvider } from "./current-project";
import { NotificationBell } from "./notifications/notification-bell";
import { ProjectEventsProvider } from "./project-events";
import { ProjectSwitcher } from "./project-switcher";
import { UserMenu } from "./user-menu";
import { WorkerIndicator } from "./worker-indicator";

export type Account = RouterOutputs["auth"]["me"];

const navigation = [
  { href: "/", label: "Overview" },
  { href: "/agents", label: "Agents" },
  { href: "/circles", label: "Circles" },
  { href: "/tasks", label: "Tasks" },
  { href: "/pipelines", label: "Pipelines" },
  { href: "/schedules", label: "Schedules" },
  { href: "/runs", label: "Runs" },
  { href: "/tools", label: "Tools" },
  { href: "/files", label: "Files" },
  { href: "/usage", label: "Usage" },
  { href: "/members", label: "Members" },
  { href: "/tokens", label: "API tokens" },
  { href: "/settings", label: "Settings" },
  { href: "/audit", label: "Audit" },
] as const;

function isCurrentPath(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** `account` comes from the server render, so the frame is complete on first paint; the query keeps it current. */
export function AppShell({ account: initialAccount, children }: { account: Account; children: ReactNode }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { initialData: initialAccount }));
  const account = me.data ?? initialAccount;

  return (
    <CurrentProjectProvider projects={account.projects}>
      <ProjectEventsProvider>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <div className="shell">
          <aside className="sidebar" aria-label="Main navigation">
            <div className="brand">
              <span className="brand-mark" aria-hidden="true" />
              <span className="brand-name">
                Gathe<span className="brand-accent">R</span>ing
              </span>
            </div>
            <ProjectSwitcher />
            <NotificationBell userId={account.id} />
            <nav aria-label="Pages">
              <ul>
                {navigation.map((item) => {
                  const isCurrent = isCurrentPath(pathname, item.href);
                  return (
                    <li key={item.href}>
                      <Link href={item.href} className="nav-link" aria-current={isCurrent ? "page" : undefined}>
                        {item.label}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </nav>
            <div className="sidebar-footer">
              <WorkerIndicator />
              <UserMenu name={account.name} email={account.email} />
            </div>
          </aside>
          <main className="content" id="main">
            {children}
          </main>
        </div>
      </ProjectEventsProvider>
    </CurrentProjectProvider>
  );
}
