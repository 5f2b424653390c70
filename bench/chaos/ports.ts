/**
 * Ports of the proving ground's own servers (PostgreSQL, web instances, receiver, mock model). The
 * kernel hands out free ephemeral ports (32768-60999 on Linux), which on a shared machine may be ports
 * another session means to bind later (a fixed test server of its own). The commands' `--avoid-ports`
 * lists those ("54391,54600-54699"); a port in the list is never kept. Without it, ports are as the
 * kernel gives them.
 */
import { findFreePort } from "@gathering/testing";

function parseAvoided(value: string | undefined): Array<[number, number]> {
  if (!value?.trim()) return [];
  return value.split(",").map((part) => {
    const match = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    if (!match) throw new Error(`--avoid-ports: not a port or range: "${part}" (write 54391 or 54600-54699)`);
    const low = Number(match[1]);
    return [low, match[2] ? Number(match[2]) : low];
  });
}

let avoided: Array<[number, number]> = [];

/** Set once by the CLI from `--avoid-ports`. */
export function setAvoidedPorts(spec: string | undefined): void {
  avoided = parseAvoided(spec);
}

export function isAvoidingPorts(): boolean {
  return avoided.length > 0;
}

export function isAvoidedPort(port: number): boolean {
  return avoided.some(([low, high]) => port >= low && port <= high);
}

/** A free port outside the avoided ones. */
export async function pickPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = await findFreePort();
    if (!isAvoidedPort(port)) return port;
  }
  throw new Error("no free port outside --avoid-ports after 100 tries");
}

/** Starts a server that binds port 0 itself, again until its port is not an avoided one. */
export async function startOutsideAvoidedPorts<T>(
  start: () => Promise<T>,
  portOf: (server: T) => number,
  close: (server: T) => Promise<void>,
): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const server = await start();
    if (!isAvoidedPort(portOf(server))) return server;
    await close(server);
  }
  throw new Error("no server port outside --avoid-ports after 100 tries");
}
