import { describeIdentity } from './describe-identity.js';
import { getCredentialsForIdentity } from './get-credentials-for-identity.js';
import { getId } from './get-id.js';
import { getOpenIdToken } from './get-open-id-token.js';
import { getOpenIdTokenForDeveloperIdentity } from './get-open-id-token-for-developer-identity.js';
import type { Operation } from './operation.js';
import { unlinkIdentity } from './unlink-identity.js';

/** The target prefix of every operation: `X-Amz-Target: AWSCognitoIdentityService.<Operation>`. */
export const targetPrefix = 'AWSCognitoIdentityService.';

/** The operations the emulator implements, by name. Adding one is one file and one line here. */
export const implementedOperations: Readonly<Record<string, Operation>> = {
  GetId: getId,
  GetCredentialsForIdentity: getCredentialsForIdentity,
  GetOpenIdToken: getOpenIdToken,
  GetOpenIdTokenForDeveloperIdentity: getOpenIdTokenForDeveloperIdentity,
  DescribeIdentity: describeIdentity,
  UnlinkIdentity: unlinkIdentity,
};

/** Every operation of the Cognito Identity API (2014-06-30). */
export const serviceOperationNames: readonly string[] = [
  'CreateIdentityPool',
  'DeleteIdentities',
  'DeleteIdentityPool',
  'DescribeIdentity',
  'DescribeIdentityPool',
  'GetCredentialsForIdentity',
  'GetId',
  'GetIdentityPoolRoles',
  'GetOpenIdToken',
  'GetOpenIdTokenForDeveloperIdentity',
  'GetPrincipalTagAttributeMap',
  'ListIdentities',
  'ListIdentityPools',
  'ListTagsForResource',
  'LookupDeveloperIdentity',
  'MergeDeveloperIdentities',
  'SetIdentityPoolRoles',
  'SetPrincipalTagAttributeMap',
  'TagResource',
  'UnlinkDeveloperIdentity',
  'UnlinkIdentity',
  'UntagResource',
  'UpdateIdentityPool',
];

export type { Operation, OperationAuth, ServiceContext } from './operation.js';
