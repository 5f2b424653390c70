import { createTRPCRouter } from "../../trpc";
import { create } from "./create";
import { get } from "./get";
import { list } from "./list";
import { rename } from "./rename";

export const projectsRouter = createTRPCRouter({ list, create, get, rename });
