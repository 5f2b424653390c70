import { createTRPCRouter } from "../../trpc";
import { me } from "./me";
import { signUp } from "./sign-up";

export const authRouter = createTRPCRouter({ signUp, me });
