/** @gathering/cli: the `gathering` command. */
export { run, usage } from "./main";
