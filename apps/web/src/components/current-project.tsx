"use client";
/**
 * The project the dashboard works in. The choice is remembered per browser (localStorage), so it is
 * only known once the page runs in the browser; until then pages wait instead of loading the wrong project.
 * It is mirrored into a cookie, so that forms the server renders (and their server actions) use it too.
 */
import type { RouterOutputs } from "@gathering/api";
import { createContext, Fragment, type ReactNode, useCallback, useContext, useEffect, useMemo, useSyncExternalStore } from "react";
import { EmptyState, LoadingState } from "./feedback";
import { PROJECT_COOKIE, PROJECT_COOKIE_MAX_AGE_SECONDS } from "./project-cookie";

export type AccountProject = RouterOutputs["auth"]["me"]["projects"][number];

const STORAGE_KEY = "gathering.projectId";
/** localStorage's own "storage" event only reaches other tabs; this one tells this tab. */
const CHANGE_EVENT = "gathering:project-change";

function readCookieProjectId(): string | null {
  const prefix = `${PROJECT_COOKIE}=`;
  const entry = document.cookie.split("; ").find((part) => part.startsWith(prefix));
  return entry ? decodeURIComponent(entry.slice(prefix.length)) : null;
}

function writeProjectCookie(projectId: string): void {
  // biome-ignore lint/suspicious/noDocumentCookie: one fixed, encoded value, written synchronously before the next navigation; the Cookie Store API is not in every browser.
  document.cookie = `${PROJECT_COOKIE}=${encodeURIComponent(projectId)}; path=/; max-age=${PROJECT_COOKIE_MAX_AGE_SECONDS}; samesite=lax`;
}

function readStoredProjectId(): string | null {
  try {
    // The cookie alone is there after a choice made on the server (a project created or an account made without JavaScript).
    return window.localStorage.getItem(STORAGE_KEY) ?? readCookieProjectId();
  } catch {
    return readCookieProjectId();
  }
}

/** Remembers the project to open next, also from pages outside the dashboard (sign-up, invitations). */
export function rememberProjectId(projectId: string): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, projectId);
  } catch {
    // Storage can be unavailable (private mode, quota); the choice then lasts until the next reload only.
  }
  writeProjectCookie(projectId);
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("storage", onChange);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}

interface CurrentProjectValue {
  /** null while the browser's choice is not known yet, or when the account has no project. */
  project: AccountProject | null;
  projects: AccountProject[];
  isResolved: boolean;
  selectProject: (projectId: string) => void;
}

const CurrentProjectContext = createContext<CurrentProjectValue | null>(null);

/**
 * `initialProjectId` is the project the server rendered the page for (from the project cookie), so server
 * components can prefetch its data into the first HTML; undefined leaves the page waiting for the browser.
 */
export function CurrentProjectProvider({
  projects,
  initialProjectId,
  children,
}: {
  projects: AccountProject[];
  initialProjectId?: string | null;
  children: ReactNode;
}) {
  // The server's choice on the server and while hydrating (undefined: not known yet); then the browser's own.
  const storedId = useSyncExternalStore<string | null | undefined>(subscribe, readStoredProjectId, () => initialProjectId);
  const isResolved = storedId !== undefined;
  const project = isResolved ? (projects.find((candidate) => candidate.id === storedId) ?? projects[0] ?? null) : null;
  const selectProject = useCallback((projectId: string) => rememberProjectId(projectId), []);
  // A choice made before the cookie existed (or in another tab) reaches the server from the next page on.
  useEffect(() => {
    if (project && readCookieProjectId() !== project.id) writeProjectCookie(project.id);
  }, [project]);
  const value = useMemo(() => ({ project, projects, isResolved, selectProject }), [project, projects, isResolved, selectProject]);
  return <CurrentProjectContext.Provider value={value}>{children}</CurrentProjectContext.Provider>;
}

export function useCurrentProject(): CurrentProjectValue {
  const value = useContext(CurrentProjectContext);
  if (!value) throw new Error("useCurrentProject must be used inside CurrentProjectProvider");
  return value;
}

/**
 * Renders a page for the current project once it is known. Keyed by project, so switching projects
 * starts the page afresh (no half-typed form or revealed secret carries over to another project).
 */
export function ProjectScope({ children }: { children: (project: AccountProject) => ReactNode }) {
  const { project, isResolved } = useCurrentProject();
  if (!isResolved) return <LoadingState label="Loading the project…" />;
  if (!project) {
    return (
      <EmptyState title="You are not in any project yet">
        Create one with “New project” in the sidebar, or ask a project admin for an invitation link.
      </EmptyState>
    );
  }
  return <Fragment key={project.id}>{children(project)}</Fragment>;
}
