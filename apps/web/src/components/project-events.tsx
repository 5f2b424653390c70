"use client";
/**
 * One stream of the current project's durable events per page, shared by every live hook (lists,
 * details, the bell). A browser keeps at most six HTTP/1.1 connections per host: a stream per hook
 * (and per tab) used them up, and then a save waited for a free one. Ephemeral topics (streamed
 * tokens) stay with the views that ask for them by name.
 */
import { skipToken } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef } from "react";
import { useTRPC } from "~/trpc/react";
import { useCurrentProject } from "./current-project";

export interface ProjectEvent {
  topic: string;
  payload: unknown;
}

export interface ProjectEventListener {
  onData?: (event: ProjectEvent) => void;
  /** The stream (re)connected: refresh what may have changed while it was not listening. */
  onStarted?: () => void;
}

interface ProjectEventHub {
  projectId: string | null;
  add: (listener: { current: ProjectEventListener }) => () => void;
}

const ProjectEventsContext = createContext<ProjectEventHub | null>(null);

export function ProjectEventsProvider({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const { project } = useCurrentProject();
  const projectId = project?.id ?? null;
  const listeners = useRef(new Set<{ current: ProjectEventListener }>());
  const hasStarted = useRef(false);
  const hub = useMemo<ProjectEventHub>(
    () => ({
      projectId,
      add: (listener) => {
        listeners.current.add(listener);
        // A view that mounts after the stream started missed what happened while it was away: it
        // refreshes as if the stream had just (re)connected.
        if (hasStarted.current) listener.current.onStarted?.();
        return () => {
          listeners.current.delete(listener);
        };
      },
    }),
    [projectId],
  );
  useSubscription(
    trpc.events.subscribe.subscriptionOptions(projectId ? { projectId } : skipToken, {
      onStarted: () => {
        hasStarted.current = true;
        for (const listener of listeners.current) listener.current.onStarted?.();
      },
      onError: () => {
        hasStarted.current = false;
      },
      onData: (event) => {
        const data = { topic: event.data.topic, payload: event.data.payload };
        for (const listener of listeners.current) listener.current.onData?.(data);
      },
    }),
  );
  return <ProjectEventsContext.Provider value={hub}>{children}</ProjectEventsContext.Provider>;
}

/** Listens to the shared stream of `projectId` (the current project) while the component is mounted. */
export function useProjectEvents(projectId: string, listener: ProjectEventListener): void {
  const hub = useContext(ProjectEventsContext);
  if (!hub) throw new Error("useProjectEvents must be used inside ProjectEventsProvider");
  // The newest handlers are called without re-registering on every render.
  const latest = useRef(listener);
  latest.current = listener;
  const isCurrentProject = hub.projectId === projectId;
  useEffect(() => {
    if (!isCurrentProject) return;
    return hub.add(latest);
  }, [hub, isCurrentProject]);
}
