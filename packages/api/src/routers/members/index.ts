import { createTRPCRouter } from "../../trpc";
import { acceptInvitation } from "./accept-invitation";
import { cancelInvitation } from "./cancel-invitation";
import { changeRole } from "./change-role";
import { invite } from "./invite";
import { list } from "./list";
import { listInvitations } from "./list-invitations";
import { remove } from "./remove";

export const membersRouter = createTRPCRouter({ list, listInvitations, invite, cancelInvitation, acceptInvitation, changeRole, remove });
