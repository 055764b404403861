import type { ResolvedOptions } from '../options.js';
import type { CognitoIdentityTransport } from '../types.js';

/**
 * The session's transport from the options: with `flow: 'basic'`, GetCredentialsForIdentity replaced by GetOpenIdToken +
 * STS `AssumeRoleWithWebIdentity` (STS at `endpoint` when set: the emulator serves both). The
 * basic flow's module is loaded on first use, so enhanced-flow apps do not carry it.
 */
export function configureTransport(
  options: ResolvedOptions,
  inner: CognitoIdentityTransport,
): CognitoIdentityTransport {
  if (options.flow !== 'basic') return inner;
  let loaded: Promise<CognitoIdentityTransport> | undefined;
  const basic = () => {
    loaded ??= import('./basic-flow.js').then(({ basicFlowTransport }) =>
      basicFlowTransport(inner, {
        roleArn: options.roleArn,
        unauthRoleArn: options.unauthRoleArn,
        authRoleArn: options.authRoleArn,
        sts: { endpoint: options.endpoint, region: options.region },
      }),
    );
    return loaded;
  };
  return {
    getId: (input) => inner.getId(input),
    ...(inner.unlinkIdentity ? { unlinkIdentity: inner.unlinkIdentity.bind(inner) } : {}),
    getCredentialsForIdentity: async (input) => (await basic()).getCredentialsForIdentity(input),
    getOpenIdToken: async (input) => {
      const transport = await basic();
      return (transport.getOpenIdToken as NonNullable<typeof transport.getOpenIdToken>)(input);
    },
  };
}
