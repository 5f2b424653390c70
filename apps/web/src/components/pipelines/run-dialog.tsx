"use client";
/** "Run": asks for the inputs the pipeline's newest version declares, starts the run and opens it. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ErrorState, LoadingState } from "~/components/feedback";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { Dialog } from "./dialog";
import { RunInputsForm } from "./run-inputs-form";
import { toast } from "./toasts";

interface RunDialogProps {
  projectId: string;
  pipelineId: string;
  pipelineName: string;
  isOpen: boolean;
  onClose: () => void;
}

export function RunDialog({ projectId, pipelineId, pipelineName, isOpen, onClose }: RunDialogProps) {
  return (
    <Dialog title={`Run ${pipelineName}`} isOpen={isOpen} onClose={onClose}>
      {isOpen ? <RunDialogBody projectId={projectId} pipelineId={pipelineId} onClose={onClose} /> : null}
    </Dialog>
  );
}

function RunDialogBody({ projectId, pipelineId, onClose }: { projectId: string; pipelineId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const pipeline = useQuery(trpc.pipelines.get.queryOptions({ projectId, pipelineId }));
  const run = useMutation(
    trpc.pipelines.run.mutationOptions({
      onSuccess: async (started) => {
        toast.success(`Run ${started.id.slice(0, 8)} started (version ${started.version})`);
        await queryClient.invalidateQueries({ queryKey: trpc.pipelines.listRuns.queryKey() });
        onClose();
        router.push(`/runs/${started.id}`);
      },
      onError: (error) => toast.error(`Could not start the run: ${errorMessage(error)}`),
    }),
  );

  if (pipeline.isPending) return <LoadingState label="Loading the pipeline’s inputs…" />;
  if (pipeline.isError) return <ErrorState error={pipeline.error} onRetry={() => pipeline.refetch()} />;
  return (
    <>
      <p className="muted">Version {pipeline.data.version} runs on the worker; you can watch it live.</p>
      <RunInputsForm
        inputs={pipeline.data.definition.inputs}
        submitLabel="Start run"
        pendingLabel="Starting…"
        isPending={run.isPending}
        error={run.error ? errorMessage(run.error) : null}
        onSubmit={(inputs) => run.mutate({ projectId, pipelineId, inputs })}
        onCancel={onClose}
      />
    </>
  );
}
