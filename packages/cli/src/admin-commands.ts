/** CLI commands that act on data: API tokens, secret rotation, audit verification. */
import {
  createApiToken,
  generateKeyringEntry,
  type Logger,
  parseKeyring,
  projectRoleNames,
  resolveProjectRole,
  rotateStoredSecrets,
} from "@gathering/core";
import { findUserByEmail, type ProjectRoleName, verifyAuditChain } from "@gathering/db";
import { resolveAppSecrets, runWithDatabase } from "./commands";
import { type CliConfig, CliError } from "./config";
import { storeEncryptionKeys } from "./secrets";

export async function runTokenCreate(
  config: CliConfig,
  logger: Logger,
  flags: { project?: string; email?: string; name?: string; role?: string; expiresInDays?: number },
): Promise<number> {
  if (!flags.project || !flags.email || !flags.name)
    throw new CliError("token create needs --project <id> --email <user email> --name <token name>");
  const role = (flags.role ?? "member") as ProjectRoleName;
  if (!projectRoleNames.includes(role)) throw new CliError(`--role must be one of ${projectRoleNames.join(", ")}`);
  if (!/^[0-9a-f-]{36}$/i.test(flags.project)) throw new CliError("--project must be a project id (a UUID)");
  const created = await runWithDatabase(config, logger, async (db) => {
    const user = await findUserByEmail(db, flags.email ?? "");
    if (!user) throw new CliError(`no user with the email ${flags.email}`);
    const memberRole = await resolveProjectRole(db, user.id, flags.project ?? "");
    if (!memberRole) throw new CliError(`${flags.email} is not a member of project ${flags.project}`);
    return createApiToken(
      db,
      { userId: user.id, role: memberRole },
      { projectId: flags.project ?? "", name: flags.name ?? "", role, expiresInDays: flags.expiresInDays },
    );
  });
  // The token goes alone on stdout so scripts can capture it; it is shown this once.
  console.log(created.token);
  logger.info({ tokenId: created.id, role: created.role }, "API token created; it will not be shown again");
  return 0;
}

export async function runSecretsRotate(config: CliConfig, logger: Logger): Promise<number> {
  const isFromEnvironment = Boolean(config.GATHERING_ENCRYPTION_KEYS);
  return runWithDatabase(config, logger, async (db, kind) => {
    const secrets = await resolveAppSecrets(config, logger, kind);
    let keys = secrets.encryptionKeys;
    if (!isFromEnvironment) {
      // Keys in the data directory: add a new active key in front, keep the old ones to decrypt.
      keys = `${generateKeyringEntry(`k${Date.now().toString(36)}`)},${keys}`;
      await storeEncryptionKeys(config.dataDir, keys);
    }
    const keyring = parseKeyring(keys);
    const result = await rotateStoredSecrets(db, keyring);
    logger.info({ ...result, activeKeyId: keyring.activeKeyId }, "stored secrets re-encrypted with the active key");
    if (isFromEnvironment) {
      logger.info(
        "keys come from GATHERING_ENCRYPTION_KEYS: put a new key first (see `gathering secrets new-key`), run this, then drop the old key",
      );
    }
    return 0;
  });
}

export function runSecretsNewKey(): number {
  console.log(generateKeyringEntry(`k${Date.now().toString(36)}`));
  return 0;
}

export async function runAuditVerify(config: CliConfig, logger: Logger): Promise<number> {
  const result = await runWithDatabase(config, logger, (db) => verifyAuditChain(db));
  console.log(JSON.stringify(result));
  if (!result.isValid) logger.error({ firstInvalidId: result.firstInvalidId }, "the audit chain is broken");
  return result.isValid ? 0 : 1;
}
