import { createTRPCRouter } from "../../trpc";
import { subscribe } from "./subscribe";

export const eventsRouter = createTRPCRouter({ subscribe });
