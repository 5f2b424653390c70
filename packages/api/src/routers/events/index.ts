import { createTRPCRouter } from "../../trpc";
import { ping } from "./ping";
import { subscribe } from "./subscribe";

export const eventsRouter = createTRPCRouter({ ping, subscribe });
