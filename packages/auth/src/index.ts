/** @gathering/auth: next-auth options, session revocation, API token verification, caller resolution. */
export * from "./next-auth-options";
export * from "./resolve-caller";
export * from "./revocation-cache";
