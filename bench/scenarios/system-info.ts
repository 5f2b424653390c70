/** tRPC `system.info` through the Next.js route, beside a bare Node server answering the same bytes, plus the layers in between. */
import { randomBytes } from "node:crypto";
import type { AppHandle } from "../support/app";
import { measureLoad, warmUp } from "../support/load";
import type { NodeServerOptions } from "../support/node-server";
import { formatMs } from "../support/report";
import type { CaseResult, Scenario, ScenarioContext } from "../support/types";

/** The app's default DATABASE_POOL_SIZE, so the layers measured without Next query through the same pool size. */
const poolSize = 10;

/**
 * Every request comes from 127.0.0.1 without a session, so the per-address API limit would answer 429
 * after a few hundred. Lifted, not disabled: the limiter still counts every request, as in production.
 */
const rateLimitEnv = { GATHERING_RATE_LIMIT_PER_MINUTE: "1000000000" };

/**
 * Right after `gathering start` the app is slower for a while (route modules load on first use, the JIT
 * works through Next's bundles, startup garbage is collected): measured, about twice as slow per request in
 * the first 10 s. Both routes measured in the app get this much load first, in addition to each case's warm-up.
 */
const appSettleSeconds = 15;

const trpcPath = "/api/trpc/system.info";
const routeFile = "apps/web/src/app/api/trpc/[trpc]/route.ts";

async function probe(url: string): Promise<{ body: string; contentType: string; isFromNext: boolean }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${body.slice(0, 500)}`);
  return {
    body,
    contentType: response.headers.get("content-type") ?? "application/json",
    // Next.js marks every answer it renders with this Vary; a handler in front of Next does not.
    isFromNext: /next-router-state-tree/i.test(response.headers.get("vary") ?? ""),
  };
}

async function measureNodeServer(
  context: ScenarioContext,
  app: AppHandle,
  options: NodeServerOptions,
  pathname: string,
): Promise<CaseResult["load"]> {
  const server = await context.startNodeServer(options);
  try {
    await probe(`${server.url}${pathname}`);
    return await measureLoad({
      url: `${server.url}${pathname}`,
      ...context.settings,
      cpu: { serverPid: server.pid, databaseTreeRootPid: app.pid },
    });
  } finally {
    await server.stop();
  }
}

/** Milliseconds of wall time per request the server needs at saturation: 1 / throughput. */
const serviceMs = (item: CaseResult) => 1000 / item.load.requestsPerSecond;
const nodeCpuMs = (item: CaseResult) => item.load.cpuMsPerRequest.server ?? Number.NaN;

function layerCost(label: string, upper: CaseResult | undefined, lower: CaseResult | undefined): string | undefined {
  if (!upper || !lower) return undefined;
  const signed = (value: number) => `${value >= 0 ? "+" : "−"}${formatMs(Math.abs(value))}`;
  return `${label}: ${signed(serviceMs(upper) - serviceMs(lower))} of server time and ${signed(
    nodeCpuMs(upper) - nodeCpuMs(lower),
  )} of Node CPU per request ("${upper.label}" minus "${lower.label}").`;
}

const systemInfo: Scenario = {
  id: "system-info",
  title: "tRPC system.info over HTTP",
  async run(context) {
    // Secrets chosen here rather than left to the data directory, so the route measured outside the app can share them.
    const secretsEnv = {
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      GATHERING_ENCRYPTION_KEYS: `bench-1:${randomBytes(32).toString("base64")}`,
    };
    const app = await context.startApp({ env: { ...rateLimitEnv, ...secretsEnv } });
    // The baseline answers exactly what the app answers, so both move the same bytes.
    const captured = await probe(`${app.url}${trpcPath}`);
    const parsed = JSON.parse(captured.body) as { result?: { data?: { json?: { version?: unknown } } } };
    if (typeof parsed.result?.data?.json?.version !== "string") throw new Error(`unexpected system.info answer: ${captured.body}`);
    await probe(`${app.url}/api/health`);
    context.log(
      `captured ${captured.body.length} bytes of ${captured.contentType} (${captured.isFromNext ? "served by Next.js" : "served before Next.js"}): ${captured.body}`,
    );

    context.log(`settling the app: ${appSettleSeconds} s of unmeasured load on ${trpcPath} and /api/health…`);
    await warmUp({ ...context.settings, url: `${app.url}${trpcPath}` }, appSettleSeconds - 5);
    await warmUp({ ...context.settings, url: `${app.url}/api/health` }, 5);

    const appCpu = { serverPid: app.pid, databaseTreeRootPid: app.pid };
    const cases: CaseResult[] = [];
    const notes: string[] = [];
    const measure = async (item: Omit<CaseResult, "load">, load: () => Promise<CaseResult["load"]>) => {
      context.log(`measuring ${item.label}…`);
      try {
        const result = { ...item, load: await load() };
        context.log(
          `  ${result.load.requestsPerSecond} req/s, p50 ${result.load.latencyMs.p50} ms, p99 ${result.load.latencyMs.p99} ms, ${result.load.errors} errors, ${result.load.non2xx} non-2xx`,
        );
        cases.push(result);
        return result;
      } catch (error) {
        // A breakdown row is an aid; losing one must not lose the subject and its baseline.
        if (item.role !== "breakdown") throw error;
        const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
        context.log(`  skipped: ${reason}`);
        notes.push(`"${item.label}" was skipped: ${reason}`);
        return undefined;
      }
    };

    // The subject and its baseline back to back: on a shared machine, the neighbours' load drifts.
    const subject = await measure(
      {
        id: "app-trpc",
        label: captured.isFromNext ? "app: tRPC system.info via Next.js" : "app: tRPC system.info (Next.js bypassed)",
        role: "subject",
        description: `\`GET /api/trpc/system.info\` from the app as \`gathering start\` serves it; ${
          captured.isFromNext
            ? `answered by the Next.js route \`${routeFile}\``
            : "answered by the CLI's web server before Next.js (the response carries no Next.js headers)"
        }.`,
        target: { minRequestsPerSecond: 2_000, maxP99Ms: 25 },
      },
      () => measureLoad({ url: `${app.url}${trpcPath}`, ...context.settings, cpu: appCpu }),
    );

    const bare = await measure(
      {
        id: "bare-node",
        label: "bare Node http, same bytes",
        role: "baseline",
        description: "a plain `node:http` server in its own process answering the captured system.info response; the floor.",
      },
      () => measureNodeServer(context, app, { mode: "static", body: captured.body, contentType: captured.contentType }, trpcPath),
    );
    const health = await measure(
      {
        id: "next-health",
        label: "Next.js /api/health",
        role: "breakdown",
        description: "a Next.js route handler with no database and no tRPC: Next's own cost per request.",
      },
      () => measureLoad({ url: `${app.url}/api/health`, ...context.settings, cpu: appCpu }),
    );
    const database = await measure(
      {
        id: "node-db",
        label: "bare Node http + getSystemInfo()",
        role: "breakdown",
        description: `system.info's database work on every request, with no reuse of earlier answers (getSystemInfo: two queries through drizzle and postgres.js, pool of ${poolSize}) behind a plain \`node:http\` server.`,
      },
      () => measureNodeServer(context, app, { mode: "db", databaseUrl: app.databaseUrl(), poolSize }, "/"),
    );
    const route = await measure(
      {
        id: "node-route",
        label: "bare Node http + the tRPC route handler",
        role: "breakdown",
        description: `the GET handler of \`${routeFile}\` (services, rate limiter, tRPC, getSystemInfo) called from a plain \`node:http\` server: everything but Next.js.`,
      },
      () =>
        measureNodeServer(
          context,
          app,
          {
            mode: "route",
            routeFile,
            tsconfig: "apps/web/tsconfig.json",
            // What `gathering start` (packages/cli/src/commands.ts) gives the web app running in its process.
            env: {
              ...rateLimitEnv,
              ...secretsEnv,
              DATABASE_URL: app.databaseUrl(),
              GATHERING_DATABASE_KIND: "embedded",
              DATABASE_POOL_SIZE: String(poolSize),
              LOG_LEVEL: "warn",
              NEXT_TELEMETRY_DISABLED: "1",
              AUTH_TRUST_HOST: "1",
            },
          },
          trpcPath,
        ),
    );
    if (subject && subject.load.non2xx > 0) {
      notes.push(`"${subject.label}" answered non-2xx statuses: ${JSON.stringify(subject.load.statusCodes)}.`);
    }
    // Each layer against the floor, except the app's own server, which is compared with the same handler outside it.
    const layers = [
      layerCost("getSystemInfo() with no reuse", database, bare),
      layerCost("The tRPC route handler (auth, rate limiter, tRPC, system.info as the route runs it)", route, bare),
      layerCost("Next.js routing to a handler", health, bare),
      layerCost(captured.isFromNext ? "Next.js around the tRPC route" : "The app's server around the tRPC handler", subject, route),
    ].filter((note): note is string => note !== undefined);
    notes.unshift(
      "Server time per request is 1 / throughput at saturation (50 connections); Node CPU is the answering Node process's CPU time per response (all its threads), read from /proc. The app's process also runs the worker, whose idle polling is counted in its CPU.",
      `The app got ${appSettleSeconds} s of unmeasured load after it started, before any case: the first seconds after a start are about twice as slow per request and say nothing about steady state.`,
      ...layers,
      `The API's per-address rate limit is lifted for the run (${Object.entries(rateLimitEnv)
        .map(([name, value]) => `${name}=${value}`)
        .join(", ")}); the limiter itself still runs on every request.`,
    );
    return { cases, notes };
  },
};

export default systemInfo;
