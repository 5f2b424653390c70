/** The product version, reported by system.info and the worker heartbeat. */
export const GATHERING_VERSION = "0.1.0";
