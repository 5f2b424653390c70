import { createTRPCRouter } from "../../trpc";
import { list } from "./list";
import { verify } from "./verify";

export const auditRouter = createTRPCRouter({ list, verify });
