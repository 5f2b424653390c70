/** The dashboard's pages, in the sidebar's order: the main journeys first, then the project's housekeeping. */
export interface NavigationItem {
  href: string;
  label: string;
  /** Other words the command palette finds the page by. */
  keywords?: string;
}

export const navigationGroups: { label: string; items: NavigationItem[] }[] = [
  {
    label: "Build",
    items: [
      { href: "/", label: "Overview", keywords: "home dashboard" },
      { href: "/agents", label: "Agents" },
      { href: "/circles", label: "Circles", keywords: "teams conversations" },
      { href: "/pipelines", label: "Pipelines", keywords: "workflows editor" },
      { href: "/runs", label: "Runs", keywords: "executions history" },
      { href: "/schedules", label: "Schedules", keywords: "cron timers webhooks" },
      { href: "/knowledge", label: "Knowledge", keywords: "documents rag search" },
      { href: "/tools", label: "Tools", keywords: "mcp approvals" },
      { href: "/files", label: "Files", keywords: "workspace" },
      { href: "/settings", label: "Settings", keywords: "provider keys project" },
      { href: "/audit", label: "Audit", keywords: "log history" },
    ],
  },
  {
    label: "Project",
    items: [
      { href: "/tasks", label: "Tasks" },
      { href: "/usage", label: "Usage", keywords: "tokens cost budget" },
      { href: "/members", label: "Members", keywords: "invitations people" },
      { href: "/tokens", label: "API tokens", keywords: "sdk keys" },
      { href: "/notifications", label: "Notifications", keywords: "inbox" },
    ],
  },
];
