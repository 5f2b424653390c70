/**
 * The current project's id, mirrored from the browser's choice into a cookie so the server knows it too:
 * pages rendered before (or without) JavaScript and server actions. No directive: the browser and the
 * server both import it.
 */
export const PROJECT_COOKIE = "gathering.projectId";

/** A year; browsers cap cookie lifetimes at 400 days anyway. */
export const PROJECT_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;
