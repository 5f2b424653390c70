/**
 * Compiled by `tsc -p tsconfig.usage.json` against the built package (dist/index.d.ts), as an SDK user
 * would: the calls below must type-check, and each @ts-expect-error must really be an error.
 */
import { createGatheringClient, getErrorCode, type RouterOutputs } from "../dist/index.js";

const gathering = createGatheringClient({ url: "http://localhost:3000", token: "gat_example" });

export async function typedUsage(): Promise<string> {
  const info = await gathering.system.info.query();
  const version: string = info.version;
  const kind: "embedded" | "external" = info.database.kind;
  const lastSeenAt: Date | null = info.workers.lastSeenAt;
  const sameShape: RouterOutputs["system"]["info"] = info;

  // @ts-expect-error a procedure that does not exist
  await gathering.system.missing.query();
  // @ts-expect-error a field that system.info does not return
  info.database.password;
  // @ts-expect-error intervalMs is a number
  gathering.system.status.subscribe({ intervalMs: "fast" }, {});

  const subscription = gathering.system.status.subscribe(
    { intervalMs: 1_000 },
    {
      onData: (status) => {
        const live: number = status.workers.live;
        void live;
      },
      onError: (error) => getErrorCode(error),
    },
  );
  subscription.unsubscribe();
  return `${version} ${kind} ${lastSeenAt?.toISOString() ?? "never"} ${sameShape.workers.status}`;
}
