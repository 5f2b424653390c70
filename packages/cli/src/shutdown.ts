/** Runs shutdown steps in order on SIGINT/SIGTERM/SIGHUP; a second signal exits at once. */
import type { Logger } from "@gathering/core";

export type ShutdownStep = { name: string; run: () => Promise<void> };

export function onShutdownSignal(logger: Logger, steps: () => ShutdownStep[]): Promise<number> {
  return new Promise((resolve) => {
    let isShuttingDown = false;
    const handle = (signal: NodeJS.Signals) => {
      if (isShuttingDown) {
        logger.warn({ signal }, "second signal: exiting now");
        process.exit(1);
      }
      isShuttingDown = true;
      logger.info({ signal }, "shutting down");
      void (async () => {
        let exitCode = 0;
        for (const step of steps()) {
          try {
            await step.run();
            logger.debug({ step: step.name }, "shutdown step done");
          } catch (error) {
            exitCode = 1;
            logger.error({ err: error, step: step.name }, "shutdown step failed");
          }
        }
        logger.info("stopped");
        resolve(exitCode);
      })();
    };
    process.on("SIGINT", handle);
    process.on("SIGTERM", handle);
    // A closed terminal sends SIGHUP; dying on it would orphan the embedded PostgreSQL.
    process.on("SIGHUP", handle);
  });
}
