/** @gathering/testing: test helpers shared by every package. */
export * from "./context";
export * from "./free-port";
export * from "./test-database";
