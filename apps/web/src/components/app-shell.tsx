"use client";
/** The dashboard frame: brand, project switcher, bell, command palette, navigation, worker indicator, user menu and the notices around every page. */
import type { RouterOutputs } from "@gathering/api";
import { useQuery } from "@tanstack/react-query";
import Link, { useLinkStatus } from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { useTRPC } from "~/trpc/react";
import { CommandPalette } from "./command-palette";
import { CurrentProjectProvider } from "./current-project";
import { navigationGroups } from "./navigation";
import { NotificationBell } from "./notifications/notification-bell";
import { ProjectEventsProvider } from "./project-events";
import { ProjectSwitcher } from "./project-switcher";
import { Toaster } from "./ui/toast";
import { UserMenu } from "./user-menu";
import { WorkerIndicator } from "./worker-indicator";

export type Account = RouterOutputs["auth"]["me"];

/**
 * A page is prepared on the server with its data before it is shown, so a click may take a moment: the
 * clicked link shows a small spinner until the page arrives. (A route-level loading boundary would show
 * at once, but it would also hide the whole page from a browser without JavaScript.)
 */
function PendingHint() {
  const { pending } = useLinkStatus();
  return pending ? <span className="nav-link-pending spinner" aria-hidden="true" /> : null;
}

function isCurrentPath(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * `account` comes from the server render, so the frame is complete on first paint; the query keeps it current.
 * `initialProjectId` is the project the server rendered the page for (see CurrentProjectProvider).
 */
export function AppShell({
  account: initialAccount,
  initialProjectId,
  children,
}: {
  account: Account;
  initialProjectId: string | null;
  children: ReactNode;
}) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { initialData: initialAccount }));
  const account = me.data ?? initialAccount;

  return (
    <CurrentProjectProvider projects={account.projects} initialProjectId={initialProjectId}>
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
            <CommandPalette />
            <nav aria-label="Pages" className="grid gap-4">
              {navigationGroups.map((group) => (
                <div key={group.label} className="grid gap-1">
                  <h2 className="m-0 px-3 text-[0.7rem] font-semibold uppercase tracking-[0.12em] text-muted">{group.label}</h2>
                  <ul>
                    {group.items.map((item) => (
                      <li key={item.href}>
                        <Link href={item.href} className="nav-link" aria-current={isCurrentPath(pathname, item.href) ? "page" : undefined}>
                          {item.label}
                          <PendingHint />
                        </Link>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
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
        <Toaster />
      </ProjectEventsProvider>
    </CurrentProjectProvider>
  );
}
