import { createTRPCRouter } from "../../trpc";
import { info } from "./info";
import { status } from "./status";

export const systemRouter = createTRPCRouter({ info, status });
