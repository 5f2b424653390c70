import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  platform: "neutral",
  clean: true,
  sourcemap: true,
  // The router's types live in internal packages that are not published: inline them into the .d.ts.
  dts: {
    resolve: [/^@gathering\//],
    compilerOptions: {
      baseUrl: ".",
      paths: {
        "@gathering/api": ["../api/src/index.ts"],
        "@gathering/core": ["../core/src/index.ts"],
        "@gathering/db": ["../db/src/index.ts"],
        "@gathering/jobs": ["../jobs/src/index.ts"],
      },
    },
  },
  external: ["@trpc/client", "superjson", "eventsource"],
});
