/** The dashboard frame: brand, navigation and the live worker indicator around every page. */
import Link from "next/link";
import type { ReactNode } from "react";
import { WorkerIndicator } from "./worker-indicator";

const navigation = [{ href: "/", label: "Overview" }];

export function AppShell({ children }: { children: ReactNode }) {
  return (
    <div className="shell">
      <aside className="sidebar" aria-label="Main navigation">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">
            Gathe<span className="brand-accent">R</span>ing
          </span>
        </div>
        <nav>
          <ul>
            {navigation.map((item) => (
              <li key={item.href}>
                <Link href={item.href} className="nav-link">
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-footer">
          <WorkerIndicator />
        </div>
      </aside>
      <main className="content">{children}</main>
    </div>
  );
}
