"use client";
/**
 * The command palette (Ctrl-K / Cmd-K, or the sidebar's search button): jump to any page, or to an agent,
 * circle, pipeline or schedule found by the list procedures' server-side name search, or to a recent run.
 * Built on cmdk (a Radix dialog with a listbox): arrows move, Enter opens, Escape closes.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useTRPC } from "~/trpc/react";
import { useCurrentProject } from "./current-project";
import { navigationGroups } from "./navigation";
import { shortId } from "./pipelines/shared";
import { useSettledValue } from "./ui/paged-table";

const RESULTS_PER_KIND = 5;

interface Destination {
  href: string;
  label: string;
  hint?: string;
}

function useObjectResults(projectId: string | null, search: string, isOpen: boolean) {
  const trpc = useTRPC();
  const enabled = projectId !== null && isOpen;
  const input = { projectId: projectId ?? "", search: search || undefined, limit: RESULTS_PER_KIND };
  const common = { enabled, placeholderData: keepPreviousData, staleTime: 10_000 } as const;
  const agents = useQuery(trpc.agents.list.queryOptions(input, common));
  const circles = useQuery(trpc.circles.list.queryOptions(input, common));
  const pipelines = useQuery(trpc.pipelines.list.queryOptions(input, common));
  const schedules = useQuery(trpc.schedules.list.queryOptions(input, common));
  const pipelineRuns = useQuery(trpc.pipelines.listRuns.queryOptions({ projectId: projectId ?? "", limit: RESULTS_PER_KIND }, common));
  const circleRuns = useQuery(trpc.circles.listRuns.queryOptions({ projectId: projectId ?? "", limit: RESULTS_PER_KIND }, common));
  const pipelineNames = new Map((pipelines.data?.items ?? []).map((pipeline) => [pipeline.id, pipeline.name]));
  const needle = search.toLowerCase();
  // Runs have no name to search on the server: the recent ones, narrowed by id or task here.
  const runs: Destination[] = [
    ...(pipelineRuns.data?.items ?? []).map((run) => ({
      href: `/runs/${run.id}`,
      label: `Run ${shortId(run.id)}`,
      hint: `${pipelineNames.get(run.pipelineId) ?? "pipeline"} · ${run.status}`,
    })),
    ...(circleRuns.data?.items ?? []).map((run) => ({
      href: `/circles/runs/${run.id}`,
      label: run.task.length > 60 ? `${run.task.slice(0, 60)}…` : run.task,
      hint: `circle run ${shortId(run.id)} · ${run.status}`,
    })),
  ].filter((run) => !needle || `${run.label} ${run.hint}`.toLowerCase().includes(needle));
  const groups: { heading: string; items: Destination[] }[] = [
    {
      heading: "Agents",
      items: (agents.data?.items ?? []).map((agent) => ({ href: `/agents/${agent.id}`, label: agent.name, hint: agent.role })),
    },
    { heading: "Circles", items: (circles.data?.items ?? []).map((circle) => ({ href: `/circles/${circle.id}`, label: circle.name })) },
    {
      heading: "Pipelines",
      items: (pipelines.data?.items ?? []).map((pipeline) => ({ href: `/pipelines/${pipeline.id}`, label: pipeline.name })),
    },
    {
      heading: "Schedules",
      items: (schedules.data?.items ?? []).map((schedule) => ({ href: `/schedules/${schedule.id}`, label: schedule.name })),
    },
    { heading: "Runs", items: runs },
  ];
  const isLoading = [agents, circles, pipelines, schedules].some((query) => query.isFetching);
  return { groups, isLoading };
}

export function CommandPalette() {
  const router = useRouter();
  const { project } = useCurrentProject();
  const [isOpen, setIsOpen] = useState(false);
  const [text, setText] = useState("");
  const search = useSettledValue(text.trim(), 200);
  const { groups, isLoading } = useObjectResults(project?.id ?? null, search, isOpen);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() === "k" && (event.metaKey || event.ctrlKey)) {
        event.preventDefault();
        setIsOpen((open) => !open);
      }
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);

  const go = (href: string) => {
    setIsOpen(false);
    setText("");
    router.push(href);
  };
  const needle = text.trim().toLowerCase();
  const pages = navigationGroups
    .flatMap((group) => group.items)
    .filter((item) => !needle || item.label.toLowerCase().includes(needle) || item.keywords?.includes(needle));

  return (
    <>
      <button
        type="button"
        className="flex w-full cursor-pointer items-center justify-between gap-2 rounded-control border border-line bg-input px-3 py-2 text-left text-sm text-muted hover:border-line-strong hover:text-text"
        onClick={() => setIsOpen(true)}
        aria-keyshortcuts="Control+K Meta+K"
      >
        <span>Search or jump to…</span>
        <kbd className="rounded border border-line px-1.5 font-mono text-xs">Ctrl K</kbd>
      </button>
      <Command.Dialog
        open={isOpen}
        onOpenChange={setIsOpen}
        label="Command palette"
        shouldFilter={false}
        overlayClassName="fixed inset-0 z-40 bg-[rgba(3,4,10,0.7)] backdrop-blur-sm"
        contentClassName="fixed top-[12vh] left-1/2 z-50 w-[min(620px,calc(100vw-32px))] -translate-x-1/2 overflow-hidden rounded-panel border border-line-strong bg-[rgba(16,18,34,0.97)] text-text shadow-glow animate-fade-in"
      >
        <Command.Input
          value={text}
          onValueChange={setText}
          placeholder="Type a page, an agent, a circle, a pipeline, a schedule or a run…"
          className="min-h-0! w-full rounded-none! border-0! border-b! border-line! bg-transparent! px-4! py-3.5! text-base shadow-none! outline-none"
        />
        <Command.List className="max-h-[60vh] overflow-y-auto p-2">
          <Command.Empty className="px-3 py-6 text-center text-sm text-muted">{isLoading ? "Searching…" : "Nothing found."}</Command.Empty>
          {pages.length > 0 ? (
            <PaletteGroup heading="Pages" items={pages.map((item) => ({ href: item.href, label: item.label }))} onSelect={go} />
          ) : null}
          {groups.map((group) =>
            group.items.length > 0 ? <PaletteGroup key={group.heading} heading={group.heading} items={group.items} onSelect={go} /> : null,
          )}
        </Command.List>
      </Command.Dialog>
    </>
  );
}

function PaletteGroup({ heading, items, onSelect }: { heading: string; items: Destination[]; onSelect: (href: string) => void }) {
  return (
    <Command.Group
      heading={heading}
      className="[&_[cmdk-group-heading]]:px-2.5 [&_[cmdk-group-heading]]:pt-2 [&_[cmdk-group-heading]]:pb-1 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:uppercase [&_[cmdk-group-heading]]:tracking-wider [&_[cmdk-group-heading]]:text-muted"
    >
      {items.map((item) => (
        <Command.Item
          key={item.href}
          value={item.href}
          onSelect={() => onSelect(item.href)}
          className="flex cursor-pointer items-baseline justify-between gap-3 rounded-[6px] px-2.5 py-2 text-sm data-[selected=true]:bg-hover data-[selected=true]:text-accent"
        >
          <span className="truncate">{item.label}</span>
          {item.hint ? <span className="shrink-0 truncate text-xs text-muted">{item.hint}</span> : null}
        </Command.Item>
      ))}
    </Command.Group>
  );
}
