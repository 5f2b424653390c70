/** /pipelines/new: draw a new pipeline. */
import type { Metadata } from "next";
import { PipelineEditorView } from "~/components/pipelines/pipeline-editor";

export const metadata: Metadata = { title: "New pipeline" };

export default function NewPipelinePage() {
  return <PipelineEditorView pipelineId={null} />;
}
