/** Paths the end-to-end suite shares: the repository root and the artifacts folder CI keeps. */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const artifactsDir = path.join(repoRoot, "e2e", "artifacts");
export const screenshotsDir = path.join(artifactsDir, "screenshots");
