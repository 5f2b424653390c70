/** The token the e2e app's /api/metrics is behind (set by playwright.config.ts, used by e2e/api/metrics.spec.ts). */
export const METRICS_TOKEN = "e2e-metrics-token-0123456789";
