/**
 * What every process the proving ground starts answers over IPC: `{ type: "memory" }` gets its heap
 * and RSS back, after a full collection when the process runs with --expose-gc, so a soak compares
 * live data and not where the collector happened to be in its cycle.
 */
export interface MemorySample {
  heapUsedBytes: number;
  rssBytes: number;
}

export function answerMemoryRequests(): void {
  process.on("message", (message: { type?: string; id?: number }) => {
    if (message?.type !== "memory") return;
    const collect = (globalThis as { gc?: () => void }).gc;
    collect?.();
    const usage = process.memoryUsage();
    process.send?.({ type: "memory", id: message.id, heapUsedBytes: usage.heapUsed, rssBytes: usage.rss });
  });
}
