/** Flow tools: pacing a run (waiting for something outside to happen) without burning model calls. */
import { z } from "zod";
import { defineTool } from "../registry";

export const maxWaitSeconds = 300;

export const waitTool = defineTool({
  name: "wait",
  category: "flow",
  description:
    `Pause for a number of seconds (at most ${maxWaitSeconds}) before continuing, e.g. to give a job or a page time to update ` +
    "before checking again. Stops at once if the run is cancelled and then reports that it was interrupted.",
  input: z.object({
    seconds: z.number().min(0).max(maxWaitSeconds).describe(`How long to wait, in seconds (0 to ${maxWaitSeconds}, fractions allowed)`),
    reason: z.string().max(200).optional().describe("Why you are waiting; shown in the run's log"),
  }),
  // Longer than the longest wait, so the registry's timeout never cuts a legitimate wait short.
  timeoutMs: (maxWaitSeconds + 10) * 1000,
  async execute(input, context) {
    const startedAt = performance.now();
    const elapsedSeconds = () => Number(((performance.now() - startedAt) / 1000).toFixed(3));
    if (input.reason) context.logger.info({ seconds: input.seconds, reason: input.reason }, "agent waiting");
    const isCompleted = await new Promise<boolean>((resolve) => {
      if (context.signal.aborted) {
        resolve(false);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        context.signal.removeEventListener("abort", onAbort);
        resolve(true);
      }, input.seconds * 1000);
      context.signal.addEventListener("abort", onAbort, { once: true });
    });
    if (isCompleted) return { waited: true, seconds: input.seconds };
    return {
      waited: false,
      interrupted: true,
      requestedSeconds: input.seconds,
      waitedSeconds: elapsedSeconds(),
      message: "The wait was interrupted.",
    };
  },
});

export const flowTools = [waitTool];
