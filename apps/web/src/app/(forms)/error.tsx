"use client";
/** A form page that failed to render: the same message inside the shell as on every dashboard page. */
export { default } from "../(dashboard)/error";
