/**
 * Accounts: sign-up under the installation's sign-up policy, and sign-in with brute-force protection
 * that slows an attacker without letting them lock the real user out.
 */
import {
  countUsers,
  type Database,
  findUsableInvitationForUpdate,
  findUserByEmail,
  findUserById,
  insertProject,
  insertUser,
  listProjectsForUser,
  markInvitationAccepted,
  upsertMember,
} from "@gathering/db";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { AppError } from "../errors";
import { publishEvent } from "../events/catalog";
import { hashPassword, verifyAgainstDummyHash, verifyPassword, ZPassword } from "../security/passwords";
import type { FailureCounter, RateLimiter } from "../security/rate-limiter";
import { hashToken } from "../security/tokens";
import { hasControlCharacters } from "../validation";

export type SignUpPolicy = "open" | "invite" | "closed";

/** Serialises sign-ups, so two first accounts cannot both become the installation's owner. */
const signUpLock = sql`select pg_advisory_xact_lock(7264003)`;

export interface AccountsConfig {
  passwordHashCost: number;
  signUpPolicy: SignUpPolicy;
}

export const ZEmail = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: "Enter a valid email address" }))
  .transform((value) => value.toLowerCase());

export const ZSignUpInput = z.object({
  email: ZEmail,
  name: z
    .string()
    .trim()
    .min(1, "Enter your name")
    .max(100)
    .refine((value) => !hasControlCharacters(value), "Names cannot contain control characters"),
  password: ZPassword,
  invitationToken: z.string().max(200).optional(),
});
export type TSignUpInput = z.infer<typeof ZSignUpInput>;

export interface SignedUpUser {
  id: string;
  email: string;
  name: string;
  /** The project the user landed in (their own, or the one that invited them). */
  projectId: string;
}

export async function signUp(
  db: Database,
  config: AccountsConfig,
  input: TSignUpInput,
  meta: { ip?: string | null } = {},
): Promise<SignedUpUser> {
  // Hash before the transaction: bcrypt is slow and must not hold locks.
  const passwordHash = await hashPassword(input.password, config.passwordHashCost);
  return db.transaction(async (tx) => {
    await tx.execute(signUpLock);
    const isFirstUser = (await countUsers(tx)) === 0;
    const invitation = input.invitationToken ? await findUsableInvitationForUpdate(tx, hashToken(input.invitationToken)) : undefined;
    if (input.invitationToken && !invitation) throw new AppError("NOT_FOUND", "This invitation link is invalid, used or expired");
    if (invitation && invitation.email !== input.email)
      throw new AppError("FORBIDDEN", "This invitation was sent to another email address");
    if (!isFirstUser && !invitation && config.signUpPolicy !== "open") {
      throw new AppError(
        "FORBIDDEN",
        config.signUpPolicy === "closed" ? "Sign-up is closed on this installation" : "Sign-up needs an invitation link",
      );
    }
    const user = await insertUser(tx, { email: input.email, name: input.name, passwordHash });
    if (!user) throw new AppError("CONFLICT", "An account with this email already exists");

    let projectId: string;
    if (invitation) {
      await upsertMember(tx, { projectId: invitation.projectId, userId: user.id, role: invitation.role });
      await markInvitationAccepted(tx, invitation.id);
      projectId = invitation.projectId;
      await recordAudit(tx, {
        projectId,
        actorUserId: user.id,
        action: "member.join",
        target: user.email,
        metadata: { role: invitation.role },
        ip: meta.ip,
      });
      await publishEvent(tx, projectId, "members.changed", { userId: user.id, change: "joined", role: invitation.role });
    } else {
      const project = await insertProject(tx, {
        name: isFirstUser ? "Default project" : `${input.name}'s project`,
        createdByUserId: user.id,
      });
      await upsertMember(tx, { projectId: project.id, userId: user.id, role: "owner" });
      projectId = project.id;
      await recordAudit(tx, { projectId, actorUserId: user.id, action: "project.create", target: project.name, ip: meta.ip });
    }
    await recordAudit(tx, {
      projectId,
      actorUserId: user.id,
      action: "auth.sign_up",
      target: user.email,
      metadata: { isFirstUser },
      ip: meta.ip,
    });
    return { id: user.id, email: user.email, name: user.name, projectId };
  });
}

export const ZSignInInput = z.object({
  email: z
    .string()
    .trim()
    .max(254)
    .transform((value) => value.toLowerCase()),
  password: z.string().max(1024),
});
export type TSignInInput = z.infer<typeof ZSignInInput>;

export interface BruteForcePolicy {
  /** Attempts of any kind from one address per window before it is refused. */
  perAddressLimit: number;
  /** Wrong passwords for one account from one address before that pair is refused for the window. */
  perAccountAndAddressFailures: number;
  /** Wrong passwords for one account from anywhere before every further attempt is slowed. */
  perAccountFailuresBeforeDelay: number;
  windowMs: number;
  maxDelayMs: number;
}

export const defaultBruteForcePolicy: BruteForcePolicy = {
  perAddressLimit: 30,
  perAccountAndAddressFailures: 5,
  perAccountFailuresBeforeDelay: 10,
  windowMs: 60_000,
  maxDelayMs: 3_000,
};

export interface SignInDependencies {
  db: Database;
  config: AccountsConfig;
  limiter: RateLimiter & FailureCounter;
  policy?: BruteForcePolicy;
  sleep?: (ms: number) => Promise<void>;
}

export interface AuthenticatedUser {
  id: string;
  email: string;
  name: string;
}

/** Checks a password. Wrong email and wrong password look the same from outside, in message and in time. */
export async function signIn(deps: SignInDependencies, input: TSignInInput, meta: { ip: string }): Promise<AuthenticatedUser> {
  const policy = deps.policy ?? defaultBruteForcePolicy;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const addressKey = `signin:ip:${meta.ip}`;
  const pairKey = `signin:fail:${input.email}:${meta.ip}`;
  const accountKey = `signin:fail:${input.email}`;

  const address = await deps.limiter.limit(addressKey, policy.perAddressLimit, policy.windowMs);
  if (!address.isAllowed) throw tooMany(address.resetAt);
  const pairFailures = await deps.limiter.count(pairKey, policy.windowMs);
  if (pairFailures >= policy.perAccountAndAddressFailures) throw tooMany(new Date(Date.now() + policy.windowMs));
  const accountFailures = await deps.limiter.count(accountKey, policy.windowMs);
  if (accountFailures >= policy.perAccountFailuresBeforeDelay) {
    // Slow down, never lock: a locked account would let anyone keep its owner out.
    await sleep(Math.min(policy.maxDelayMs, 200 * (accountFailures - policy.perAccountFailuresBeforeDelay + 1)));
  }

  const user = await findUserByEmail(deps.db, input.email);
  const isValid = user
    ? await verifyPassword(input.password, user.passwordHash)
    : await verifyAgainstDummyHash(input.password, deps.config.passwordHashCost);
  if (!user || !isValid) {
    await Promise.all([deps.limiter.increment(pairKey, policy.windowMs), deps.limiter.increment(accountKey, policy.windowMs)]);
    await recordAudit(deps.db, {
      actorUserId: user?.id ?? null,
      action: "auth.sign_in_failed",
      target: input.email.slice(0, 254),
      ip: meta.ip,
    });
    throw new AppError("UNAUTHORIZED", "Wrong email or password");
  }
  await recordAudit(deps.db, { actorUserId: user.id, action: "auth.sign_in", target: user.email, ip: meta.ip });
  return { id: user.id, email: user.email, name: user.name };
}

function tooMany(resetAt: Date): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000));
  return new AppError("TOO_MANY_REQUESTS", `Too many sign-in attempts; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
}

/** The signed-in user's own account and the projects they belong to. */
export async function getAccount(db: Database, userId: string) {
  const [user, projects] = await Promise.all([findUserById(db, userId), listProjectsForUser(db, userId)]);
  if (!user) throw new AppError("UNAUTHORIZED", "This account no longer exists");
  return { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt, projects };
}
