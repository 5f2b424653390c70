/**
 * What every process the proving ground starts answers over IPC: `{ type: "memory" }` gets its heap
 * and RSS back, after a full collection when the process runs with --expose-gc, so a soak compares
 * live data and not where the collector happened to be in its cycle. `{ type: "heap-snapshot", file }`
 * writes a V8 heap snapshot there (after the same collection) and answers when it is on disk, so a soak
 * can show what grew between two moments (`bench/chaos/heap-diff.ts`).
 */
import { writeHeapSnapshot } from "node:v8";

export interface MemorySample {
  heapUsedBytes: number;
  rssBytes: number;
}

export function answerMemoryRequests(): void {
  process.on("message", (message: { type?: string; id?: number; file?: string }) => {
    const collect = (globalThis as { gc?: () => void }).gc;
    if (message?.type === "memory") {
      collect?.();
      const usage = process.memoryUsage();
      process.send?.({ type: "memory", id: message.id, heapUsedBytes: usage.heapUsed, rssBytes: usage.rss });
    } else if (message?.type === "heap-snapshot" && typeof message.file === "string") {
      collect?.();
      let error: string | undefined;
      try {
        writeHeapSnapshot(message.file);
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught);
      }
      process.send?.({ type: "heap-snapshot", id: message.id, file: message.file, ...(error ? { error } : {}) });
    }
  });
}
