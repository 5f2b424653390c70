/** /pipelines/[pipelineId]: edit a pipeline; `?version=N` shows an older version read-only, `?from=N` edits from it. */
import type { Metadata } from "next";
import { PipelineEditorView } from "~/components/pipelines/pipeline-editor";

export const metadata: Metadata = { title: "Pipeline" };

function versionOf(value: string | string[] | undefined): number | undefined {
  const number = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(number) && number >= 1 ? number : undefined;
}

export default async function PipelinePage({
  params,
  searchParams,
}: {
  params: Promise<{ pipelineId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { pipelineId } = await params;
  const query = await searchParams;
  const viewVersion = versionOf(query.version);
  const fromVersion = versionOf(query.from);
  return (
    <PipelineEditorView
      pipelineId={pipelineId}
      {...(viewVersion ? { viewVersion } : {})}
      {...(fromVersion && !viewVersion ? { fromVersion } : {})}
    />
  );
}
