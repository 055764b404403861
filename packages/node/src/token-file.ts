/**
 * A Cognito OpenID token kept in a file, for `web_identity_token_file` (the AWS CLI, the SDKs'
 * default credential chain): they call STS `AssumeRoleWithWebIdentity` with it themselves.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  COGNITO_IDENTITY_LOGINS_KEY,
  ConfigurationError,
  describeError,
  type IdentityPoolAuth,
  jwtExpiresAt,
  resolveLogins,
} from '@identity-pool/core';

export interface WebIdentityTokenFileOptions {
  /** A session (`createIdentityPoolAuth`); its identity, logins and transport are used. */
  auth: IdentityPoolAuth;
  /** Where the token is kept (written with mode 0600, replaced atomically). */
  path: string;
  /** The role the SDKs assume with the token (it must trust the pool: `cognito-identity.amazonaws.com`). */
  roleArn: string;
  /** Replace the token this long before it expires. Default 120 (Cognito tokens live 600 s). */
  refreshBeforeSeconds?: number | undefined;
  /** Profile name of `profile`. Default `identity-pool`. */
  profileName?: string | undefined;
  /** Print the profile once the first token is written (`true`: `console.log`). */
  print?: boolean | ((text: string) => void) | undefined;
  /** A refresh failed; it is tried again in `retryDelaySeconds` (default 10). */
  onError?: ((error: Error) => void) | undefined;
  retryDelaySeconds?: number | undefined;
}

export interface WebIdentityTokenFile {
  readonly path: string;
  /** The config profile (`role_arn`, `web_identity_token_file`) for `~/.aws/config`. */
  readonly profile: string;
  /** When the token in the file expires, epoch ms. */
  readonly expiresAt: () => number;
  /** Writes a fresh token now. */
  refresh(): Promise<void>;
  /** Stops refreshing (waits for a write under way). The file is left, or removed with `remove: true`. */
  stop(options?: { remove?: boolean }): Promise<void>;
}

/** The `~/.aws/config` profile that points the AWS CLI and SDKs at a token file. */
export function webIdentityProfile(options: { roleArn: string; path: string; profileName?: string }): string {
  return [
    `[profile ${options.profileName ?? 'identity-pool'}]`,
    `role_arn = ${options.roleArn}`,
    `web_identity_token_file = ${resolve(options.path)}`,
    '',
  ].join('\n');
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  // The rename itself survives a crash only once the directory is synced (best effort).
  try {
    const dir = await open(dirname(path), 'r');
    await dir.sync().finally(() => dir.close());
  } catch {
    // Some platforms (Windows) cannot open or sync a directory.
  }
}

/**
 * Writes a Cognito OpenID token (GetOpenIdToken through the session's transport, for its
 * identity and logins) to `path` and replaces it before it expires, until `stop()`. Point
 * `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, or the returned `profile`, at it. STS is the
 * basic flow: the pool must allow it (`AllowClassicFlow`), and the role must trust the pool.
 */
export async function writeWebIdentityTokenFile(
  options: WebIdentityTokenFileOptions,
): Promise<WebIdentityTokenFile> {
  const { auth, roleArn } = options;
  if (typeof options.path !== 'string' || options.path.length === 0) {
    throw new ConfigurationError('path', 'must be a file path');
  }
  if (typeof roleArn !== 'string' || !/^arn:/.test(roleArn)) {
    throw new ConfigurationError('roleArn', 'must be an IAM role ARN');
  }
  const refreshBeforeMs = (options.refreshBeforeSeconds ?? 120) * 1000;
  if (!Number.isFinite(refreshBeforeMs) || refreshBeforeMs < 0) {
    throw new ConfigurationError('refreshBeforeSeconds', 'must be a number of seconds ≥ 0');
  }
  const retryMs = (options.retryDelaySeconds ?? 10) * 1000;
  const path = resolve(options.path);
  const profile = webIdentityProfile({
    roleArn,
    path,
    ...(options.profileName ? { profileName: options.profileName } : {}),
  });

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let inFlight: Promise<void> | undefined;
  let expiresAt = 0;

  async function fetchToken(): Promise<string> {
    const identityId = await auth.getIdentityId();
    const { deps, logins } = auth.actor.getSnapshot().context;
    const { map } = await resolveLogins(logins, { now: deps.clock.now(), force: false });
    const keys = Object.keys(map);
    // A developer login's token already is a Cognito OpenID token (GetOpenIdToken refuses it).
    const developerToken = map[COGNITO_IDENTITY_LOGINS_KEY];
    if (developerToken && keys.length === 1) return developerToken;
    if (!deps.transport.getOpenIdToken) {
      throw new ConfigurationError('transport', 'needs getOpenIdToken to write a web identity token file');
    }
    const out = await deps.transport.getOpenIdToken({ identityId, logins: keys.length ? map : undefined });
    if (typeof out?.token !== 'string' || out.token.length === 0) {
      throw new Error('GetOpenIdToken returned no token');
    }
    return out.token;
  }

  const schedule = (ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      refresh().catch((error: unknown) => {
        options.onError?.(error instanceof Error ? error : new Error(describeError(error)));
        schedule(retryMs);
      });
    }, ms);
  };

  function refresh(): Promise<void> {
    inFlight ??= (async () => {
      const token = await fetchToken();
      if (stopped) return;
      await writeAtomically(path, token);
      expiresAt = jwtExpiresAt(token) ?? Date.now() + 600_000;
      schedule(Math.max(1000, expiresAt - Date.now() - refreshBeforeMs));
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  await refresh();
  if (options.print) (options.print === true ? console.log : options.print)(profile);
  return {
    path,
    profile,
    expiresAt: () => expiresAt,
    refresh,
    async stop(stopOptions) {
      stopped = true;
      clearTimeout(timer);
      await inFlight?.catch(() => undefined);
      if (stopOptions?.remove) await rm(path, { force: true });
    },
  };
}
