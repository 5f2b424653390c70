/** Loopback ports for app instances the tests start themselves. */
import { connect, createServer, type Server } from "node:net";

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** Distinct free ports; all are held open until every one is chosen, so the kernel cannot hand out one twice. */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let index = 0; index < count; index += 1) servers.push(await listenOnAnyPort());
    return servers.map((server) => {
      const address = server.address();
      if (!address || typeof address !== "object") throw new Error("the kernel assigned no port");
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

export type ConnectionProbe = "accepted" | "refused" | "no answer";

/** What happens to a brand-new TCP connection to the port (a refusal means nothing listens there any more). */
export function probeConnection(port: number, timeoutMs = 1_000): Promise<ConnectionProbe> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const finish = (result: ConnectionProbe) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish("no answer"));
    socket.once("connect", () => finish("accepted"));
    socket.once("error", (error: NodeJS.ErrnoException) => finish(error.code === "ECONNREFUSED" ? "refused" : "no answer"));
  });
}
